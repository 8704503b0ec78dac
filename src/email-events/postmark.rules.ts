import { dateOf, detailOf, messageIdCandidates, normalizeEmail, type ParsedEvent, type ParseResult } from './email-event.rules.js';

/**
 * Postmark's webhooks (RecordType Bounce, SpamComplaint, Delivery; others ignored). Postmark's
 * MessageID is its own id: our Message-ID is read, in order, from Metadata["herald-message-id"]
 * (an `X-PM-Metadata-herald-message-id` header), from the Message-ID header of the bounce's
 * `Content` (the "include bounce content" option), then Postmark's MessageID itself (equal to ours
 * only when it kept our header, `X-PM-KeepID: true`). None matching: stored unmatched.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Bounce Types that mean the address is gone: suppressed. Other bounce types are recorded only. */
const PERMANENT_TYPES = new Set(['HardBounce', 'BadEmailAddress']);
/** Bounce Types that are no delivery problem at all (auto-replies, list management, tests). */
const NOISE_TYPES = new Set(['AutoResponder', 'Subscribe', 'Unsubscribe', 'OpenRelayTest', 'ChallengeVerification', 'AddressChange']);

/**
 * The Message-ID header lines of the bounce's content (each a line of its own, not X-...-Message-ID),
 * in order, at most 5. The content is the whole bounce, a DSN: its own Message-ID comes first, the
 * bounced message's (ours) in the attached headers after it, so every one is a candidate.
 */
function contentMessageIds(content: unknown): string[] {
  return [...String(content).matchAll(/^message-id:\s*(<[^>\r\n]+>)/gim)].slice(0, 5).map((m) => m[1]!);
}

export function parsePostmark(body: unknown, receivedAt: Date): ParseResult | null {
  const p = obj(body);
  const record = p.RecordType;
  if (typeof record !== 'string') return null;
  const metadata = obj(p.Metadata);
  const messageIds = messageIdCandidates(metadata['herald-message-id'], ...contentMessageIds(p.Content), p.MessageID);
  // Postmark's bounce IDs are 64-bit: JSON.parse rounds those past 2^53, so two neighbouring IDs
  // can read the same. With its message's id (a UUID) in front, a rounded ID still names one bounce.
  const bounceId = typeof p.ID === 'number' || typeof p.ID === 'string' ? String(p.ID) : null;
  const messageId = typeof p.MessageID === 'string' && p.MessageID ? p.MessageID : null;
  const id = bounceId && messageId ? `${messageId}/${bounceId}` : bounceId;
  /** One event, or null when the payload names no recipient or has no id to dedupe it by. */
  const one = (key: string | null, e: Omit<ParsedEvent, 'messageIds' | 'email' | 'providerEventId'> & { email: unknown }): ParseResult | null => {
    const email = normalizeEmail(e.email);
    if (!email || key === null) return null;
    return { kind: 'events', events: [{ ...e, providerEventId: key, email, messageIds }] };
  };

  if (record === 'SpamComplaint' || (record === 'Bounce' && p.Type === 'SpamComplaint')) {
    return one(id && `complaint:${id}`, { type: 'complaint', email: p.Email, permanent: true, occurredAt: dateOf(p.BouncedAt, receivedAt), detail: detailOf(p.Description, p.Details) });
  }
  if (record === 'Bounce') {
    const type = String(p.Type);
    if (NOISE_TYPES.has(type)) return { kind: 'ignored', what: `Bounce/${type}` };
    return one(id && `bounce:${id}`, {
      type: 'bounce', email: p.Email, permanent: PERMANENT_TYPES.has(type), occurredAt: dateOf(p.BouncedAt, receivedAt), detail: detailOf(p.Type, p.Description, p.Details),
    });
  }
  if (record === 'Delivery') {
    // A delivery has no ID of its own: Postmark's message and the recipient name it.
    return one(messageId && `delivery:${messageId}:${String(p.Recipient).toLowerCase()}`, { type: 'delivered', email: p.Recipient, permanent: false, occurredAt: dateOf(p.DeliveredAt, receivedAt), detail: detailOf(p.Details) });
  }
  return { kind: 'ignored', what: record }; // Open, Click, SubscriptionChange
}
