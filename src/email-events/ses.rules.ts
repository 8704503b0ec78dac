import { dateOf, detailOf, messageIdCandidates, normalizeEmail, type ParsedEvent, type ParseResult } from './email-event.rules.js';

/**
 * Amazon SES's event JSON (the `Message` of an SNS Notification): identity notifications name the
 * kind in `notificationType`, configuration-set event publishing in `eventType`; both carry the
 * same `bounce` / `complaint` / `delivery` and `mail` objects.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Our Message-ID from the SES mail object: the original `Message-ID` header (mail.headers, kept
 * when the identity's "include original headers" is on), else mail.commonHeaders.messageId. SES's
 * own mail.messageId is its id, never ours: it is not a candidate.
 */
export function sesMessageIds(mail: Json): string[] {
  const header = arr(mail.headers).map(obj).find((h) => typeof h.name === 'string' && h.name.toLowerCase() === 'message-id');
  return messageIdCandidates(header?.value, obj(mail.commonHeaders).messageId);
}

export function parseSesEvent(message: unknown, receivedAt: Date): ParseResult | null {
  const m = obj(message);
  const kind = typeof m.notificationType === 'string' ? m.notificationType : m.eventType;
  if (typeof kind !== 'string') return null; // not an SES event at all
  const mail = obj(m.mail);
  const messageIds = sesMessageIds(mail);
  // SES's id of the sent message: with the recipient, what names a delivery (and a feedback without its id).
  const sesId = mail.messageId;
  if (typeof sesId !== 'string' || !sesId) return null;
  const events: ParsedEvent[] = [];
  const add = (raw: unknown, e: Omit<ParsedEvent, 'email' | 'providerEventId' | 'messageIds'> & { key: string }) => {
    const email = normalizeEmail(raw);
    if (!email) return;
    events.push({ providerEventId: `${e.key}:${email}`, type: e.type, email, messageIds, permanent: e.permanent, detail: e.detail, occurredAt: e.occurredAt });
  };

  if (kind === 'Bounce') {
    const b = obj(m.bounce);
    // Permanent: the address does not exist or refuses for good; Transient and Undetermined are recorded only.
    const permanent = b.bounceType === 'Permanent';
    const key = `bounce:${typeof b.feedbackId === 'string' ? b.feedbackId : sesId}`;
    for (const r of arr(b.bouncedRecipients).map(obj)) {
      add(r.emailAddress, { key, type: 'bounce', permanent, occurredAt: dateOf(b.timestamp, receivedAt),
        detail: detailOf(`${String(b.bounceType ?? 'Unknown')}/${String(b.bounceSubType ?? 'Unknown')}`, r.status, r.diagnosticCode) });
    }
  } else if (kind === 'Complaint') {
    const c = obj(m.complaint);
    const key = `complaint:${typeof c.feedbackId === 'string' ? c.feedbackId : sesId}`;
    for (const r of arr(c.complainedRecipients).map(obj)) {
      add(r.emailAddress, { key, type: 'complaint', permanent: true, occurredAt: dateOf(c.timestamp, receivedAt), detail: detailOf(c.complaintFeedbackType, c.complaintSubType) });
    }
  } else if (kind === 'Delivery') {
    const d = obj(m.delivery);
    for (const r of arr(d.recipients)) {
      add(r, { key: `delivery:${sesId}`, type: 'delivered', permanent: false, occurredAt: dateOf(d.timestamp, receivedAt), detail: detailOf(d.smtpResponse) });
    }
  } else {
    return { kind: 'ignored', what: kind }; // Send, Reject, Open, Click, DeliveryDelay, Rendering Failure...
  }
  return { kind: 'events', events };
}
