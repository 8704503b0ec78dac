import type { EmailEventType } from '../platform/db/schema.js';

/**
 * One delivery event as every provider's parser hands it to the intake: one recipient each (a
 * bounce naming three recipients is three events), with the provider's own id for it, which the
 * unique key (provider, provider_event_id) makes a repeat of harmless.
 */
export interface ParsedEvent {
  readonly providerEventId: string;
  readonly type: EmailEventType;
  /** Lower-cased. */
  readonly email: string;
  /** Our Message-ID candidates in the order to try them, each `<...>`; empty when the event names none. */
  readonly messageIds: readonly string[];
  /** A bounce that will not go away (the address is dead); complaints count as permanent. */
  readonly permanent: boolean;
  readonly detail: string | null;
  readonly occurredAt: Date;
}

/** What a provider's payload says: events to record, or nothing herald acts on (opens, clicks, sends...). */
export type ParseResult = { readonly kind: 'events'; readonly events: readonly ParsedEvent[] } | { readonly kind: 'ignored'; readonly what: string };

const MAX_DETAIL = 1_000;

/**
 * A Message-ID as email_log stores it (`<local@domain>`): angle brackets added when the provider
 * dropped them, surrounding space removed. Null for anything that cannot be one (empty, spaces
 * inside, over 998 characters: a header line's limit).
 */
export function normalizeMessageId(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const bare = raw.trim().replace(/^<(.*)>$/, '$1').trim();
  if (bare.length === 0 || bare.length > 996 || /[\s<>]/.test(bare)) return null;
  return `<${bare}>`;
}

/** The distinct normalized candidates, in order. */
export function messageIdCandidates(...raw: unknown[]): string[] {
  const out: string[] = [];
  for (const value of raw) {
    const id = normalizeMessageId(value);
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

/** A diagnostic kept for the admin: text, trimmed, bounded. */
export function detailOf(...parts: unknown[]): string | null {
  const text = parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0).map((p) => p.trim()).join(' — ');
  return text ? text.slice(0, MAX_DETAIL) : null;
}

/** An address as the suppression list keys it; null when it is not an address at all. */
export function normalizeEmail(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  // A recipient may come as `"Name" <a@b>` (SES's bouncedRecipients do not, Postmark's never): keep the address.
  const inner = /<([^<>]+)>\s*$/.exec(raw)?.[1] ?? raw;
  const email = inner.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 254 ? email : null;
}

/**
 * A timestamp from the payload; `fallback` (the receipt time) when it is missing or not a date, or
 * outside years 1-9999 (JavaScript reaches 271821 BC, PostgreSQL's timestamptz stops at 4713 BC:
 * such a date made the event's INSERT fail, a 500 the provider retried for ever).
 */
export function dateOf(raw: unknown, fallback: Date): Date {
  if (typeof raw !== 'string' && typeof raw !== 'number') return fallback;
  const d = new Date(raw);
  const year = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || year < 1 || year > 9999 ? fallback : d;
}
