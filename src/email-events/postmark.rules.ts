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

function contentMessageId(content: unknown): string | null {
  if (typeof content !== 'string') return null;
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(content)?.[1] ?? null;
}

export function parsePostmark(body: unknown, receivedAt: Date): ParseResult | null {
  const p = obj(body);
  const record = p.RecordType;
  if (typeof record !== 'string') return null;
  const metadata = obj(p.Metadata);
  const messageIds = messageIdCandidates(metadata['herald-message-id'], contentMessageId(p.Content), p.MessageID);
  // Postmark's bounce IDs are 64-bit: JSON.parse rounds those past 2^53, so two neighbouring IDs
  // can read the same. With its message's id (a UUID) in front, a rounded ID still names one bounce.
  const bounceId = typeof p.ID === 'number' || typeof p.ID === 'string' ? String(p.ID) : '';
  const id = bounceId && typeof p.MessageID === 'string' ? `${p.MessageID}/${bounceId}` : bounceId;
  const one = (e: Omit<ParsedEvent, 'messageIds' | 'email'> & { email: unknown }): ParseResult | null => {
    const email = normalizeEmail(e.email);
    if (!email || !e.providerEventId.split(':')[1]) return null;
    return { kind: 'events', events: [{ ...e, email, messageIds }] };
  };

  if (record === 'SpamComplaint' || (record === 'Bounce' && p.Type === 'SpamComplaint')) {
    return one({ providerEventId: `complaint:${id}`, type: 'complaint', email: p.Email, permanent: true, occurredAt: dateOf(p.BouncedAt, receivedAt), detail: detailOf(p.Description, p.Details) });
  }
  if (record === 'Bounce') {
    if (typeof p.Type === 'string' && NOISE_TYPES.has(p.Type)) return { kind: 'ignored', what: `Bounce/${p.Type}` };
    return one({
      providerEventId: `bounce:${id}`, type: 'bounce', email: p.Email, permanent: typeof p.Type === 'string' && PERMANENT_TYPES.has(p.Type),
      occurredAt: dateOf(p.BouncedAt, receivedAt), detail: detailOf(typeof p.Type === 'string' ? p.Type : null, p.Description, p.Details),
    });
  }
  if (record === 'Delivery') {
    // A delivery has no ID of its own: Postmark's message and the recipient name it.
    return one({ providerEventId: `delivery:${String(p.MessageID ?? '')}:${String(p.Recipient ?? '').toLowerCase()}`, type: 'delivered', email: p.Recipient, permanent: false, occurredAt: dateOf(p.DeliveredAt, receivedAt), detail: detailOf(p.Details) });
  }
  return { kind: 'ignored', what: record }; // Open, Click, SubscriptionChange
}
