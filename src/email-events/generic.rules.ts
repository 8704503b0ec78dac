import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { sameSecret } from '../platform/secret.js';
import { detailOf, messageIdCandidates, normalizeEmail, type ParseResult } from './email-event.rules.js';

/**
 * The generic intake: any sender that can sign its body. `X-Herald-Signature: sha256=<hex>`,
 * the HMAC-SHA256 of the raw body under EMAIL_WEBHOOK_SECRET (docs/OPERATIONS.md has a sender's
 * snippet). The body is one event; `id` is the sender's id for it (its retries repeat it), derived
 * from the event's fields when absent, so a resent event is still one row.
 */

export const genericEventSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  type: z.enum(['bounce', 'complaint', 'delivered']),
  email: z.string().min(3).max(254),
  messageId: z.string().max(998).nullish(),
  permanent: z.boolean().default(false),
  at: z.iso.datetime({ offset: true }),
  detail: z.string().max(1_000).nullish(),
});

export function signGeneric(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Whether the header carries the body's HMAC: one header, `sha256=<64 hex>`, compared in constant time. */
export function genericSignatureValid(secret: string, raw: Buffer, header: string | string[] | undefined): boolean {
  // The whole header against the whole expected value: a prefix, a suffix or another scheme never equals it.
  return typeof header === 'string' && sameSecret(header.toLowerCase(), signGeneric(secret, raw));
}

/** The event, or null with the first problem when the body is not one. */
export function parseGeneric(body: unknown): { result: ParseResult } | { error: string } {
  const parsed = genericEventSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!; // a failed parse has at least one
    return { error: `${String(issue.path[0] ?? 'body')}: ${issue.message}` };
  }
  const e = parsed.data;
  const email = normalizeEmail(e.email);
  if (!email) return { error: 'email: not an email address' };
  const id = e.id ?? createHash('sha256').update(JSON.stringify([e.type, email, e.messageId ?? null, e.at])).digest('hex');
  return { result: { kind: 'events', events: [{
    providerEventId: id, type: e.type, email, messageIds: messageIdCandidates(e.messageId),
    // A complaint always leads to suppression; `permanent` qualifies bounces only.
    permanent: e.type === 'complaint' ? true : e.type === 'bounce' && e.permanent, detail: detailOf(e.detail), occurredAt: new Date(e.at),
  }] } };
}

/**
 * Postmark's credentials: HTTP Basic (the webhook URL's `https://user:secret@host/...`, any user
 * name) or an `X-Herald-Webhook-Secret` header (Postmark's custom webhook headers); constant time.
 */
export function postmarkAuthorized(secret: string, authorization: string | undefined, header: string | string[] | undefined): boolean {
  if (typeof header === 'string') return sameSecret(header, secret);
  const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(String(authorization))?.[1];
  if (!basic) return false;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && sameSecret(decoded.slice(colon + 1), secret);
}
