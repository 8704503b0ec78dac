import type { NotificationPriority, NotificationType } from '../platform/db/schema.js';
import { absoluteUrl, escapeHtml, renderLayout } from '../platform/email/layout.js';
import { TYPE_COPY, type RenderedEmail } from '../notifications/index.js';
import type { DigestKind } from './digest.time.js';

export interface DigestEntry {
  readonly type: NotificationType;
  readonly title: string;
  readonly message: string;
  readonly actionUrl: string | null;
  readonly priority: NotificationPriority;
  readonly createdAt: Date;
}

/** Groups in first-seen order of the newest-first list, so the freshest group leads. */
export function groupByType(entries: readonly DigestEntry[]): Array<[NotificationType, DigestEntry[]]> {
  const groups = new Map<NotificationType, DigestEntry[]>();
  for (const e of entries) groups.set(e.type, [...(groups.get(e.type) ?? []), e]);
  return [...groups.entries()];
}

/** A digest email: count in the subject, items grouped by type (newest first), each linked. */
export function renderDigestEmail(kind: DigestKind, entries: readonly DigestEntry[], total: number, ctx: { publicUrl: string; recipientName: string | null; unsubscribeUrl: string }): RenderedEmail {
  const period = kind === 'DAILY' ? 'daily' : 'weekly';
  const subject = `Your ${period} digest: ${total} new notification${total === 1 ? '' : 's'}`;
  const inbox = absoluteUrl('/', ctx.publicUrl)!;
  const groups = groupByType(entries);
  const more = total - entries.length;
  const html = groups.map(([type, items]) => [
    `<h2 style="margin:24px 0 8px;font-size:15px;color:#616e7c">${escapeHtml(TYPE_COPY[type].label)} (${items.length})</h2><ul style="margin:0;padding-left:18px">`,
    ...items.map((i) => {
      const link = absoluteUrl(i.actionUrl ?? '/', ctx.publicUrl);
      const title = link ? `<a href="${escapeHtml(link)}">${escapeHtml(i.title)}</a>` : escapeHtml(i.title);
      return `<li style="margin:0 0 10px">${title}${i.priority === 'URGENT' || i.priority === 'HIGH' ? ` <strong style="color:#cf1124">${i.priority}</strong>` : ''}<br><span style="color:#3e4c59">${escapeHtml(i.message.slice(0, 280))}</span></li>`;
    }),
    '</ul>',
  ].join('')).join('');
  const bodyHtml = `<h1 style="margin:0 0 8px;font-size:20px">${escapeHtml(subject)}</h1>`
    + `<p style="margin:0 0 8px">${escapeHtml(ctx.recipientName ? `Hi ${ctx.recipientName},` : 'Hi,')} here is what arrived since your last digest.</p>`
    + html
    + (more > 0 ? `<p>…and ${more} more.</p>` : '')
    + `<p style="margin:24px 0 0"><a href="${escapeHtml(inbox)}" style="display:inline-block;background:#2186eb;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">Open your inbox</a></p>`;
  const footerHtml = `You receive a ${period} digest because of your notification settings. <a href="${escapeHtml(ctx.unsubscribeUrl)}">Unsubscribe from emails</a>.`;
  const text = [
    subject, '',
    ...groups.flatMap(([type, items]) => [`${TYPE_COPY[type].label} (${items.length})`, ...items.map((i) => `- ${i.title}: ${absoluteUrl(i.actionUrl ?? '/', ctx.publicUrl) ?? ''}`), '']),
    more > 0 ? `…and ${more} more.` : '', `Open your inbox: ${inbox}`, '', `Unsubscribe from emails: ${ctx.unsubscribeUrl}`,
  ].join('\n').replace(/\n{3,}/g, '\n\n');
  return { subject, html: renderLayout({ title: subject, preheader: entries[0]?.title ?? subject, bodyHtml, footerHtml }), text };
}
