const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every user-supplied string goes through this before it reaches HTML. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** A relative path becomes absolute under the public URL; only http(s) URLs are ever linked. */
export function absoluteUrl(url: string, base: string): string | null {
  try {
    const absolute = new URL(url, `${base}/`);
    return ['http:', 'https:'].includes(absolute.protocol) ? absolute.toString() : null;
  } catch {
    return null;
  }
}

export interface LayoutParts {
  readonly title: string;
  readonly preheader: string;
  /** Already-escaped HTML of the body. */
  readonly bodyHtml: string;
  readonly footerHtml: string;
}

/** The shared email frame: inline styles only (mail clients ignore <style>), one column, 600 px. */
export function renderLayout(parts: LayoutParts): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933">
<span style="display:none;max-height:0;overflow:hidden">${escapeHtml(parts.preheader)}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;padding:32px">
<tr><td>${parts.bodyHtml}</td></tr>
<tr><td style="padding-top:24px;border-top:1px solid #e4e7eb;font-size:12px;color:#616e7c">${parts.footerHtml}</td></tr>
</table></td></tr></table></body></html>`;
}
