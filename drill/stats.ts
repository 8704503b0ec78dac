/**
 * Pure report math for the drills: percentiles, per-endpoint summaries, growth, and the
 * exactly-once verdict over what the SMTP sink received. No I/O here, so it is easy to check.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; null for no samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** One HTTP call as the traffic generator saw it: status 0 = no answer (network error or timeout). */
export interface Sample {
  readonly endpoint: string;
  readonly status: number;
  readonly ms: number;
  /** Client-side wall clock when the answer (or the failure) came. */
  readonly at: number;
}

export interface EndpointSummary {
  readonly requests: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** Status code → count, as strings so the JSON reads naturally ("0" = no answer). */
  readonly statuses: Record<string, number>;
}

export function countStatuses(samples: readonly Pick<Sample, 'status'>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[String(s.status)] = (out[String(s.status)] ?? 0) + 1;
  return out;
}

export function summarize(samples: readonly Sample[]): Record<string, EndpointSummary> {
  const by = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = by.get(s.endpoint);
    if (list) list.push(s);
    else by.set(s.endpoint, [s]);
  }
  const out: Record<string, EndpointSummary> = {};
  for (const [endpoint, list] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const ms = list.map((s) => s.ms);
    out[endpoint] = {
      requests: list.length,
      p50Ms: round(percentile(ms, 50)),
      p99Ms: round(percentile(ms, 99)),
      maxMs: round(Math.max(...ms)),
      statuses: countStatuses(list),
    };
  }
  return out;
}

/** A 2xx or 3xx answer. */
export const isOk = (status: number) => status >= 200 && status < 400;

/** Errors as the soak target counts them: anything but 2xx/3xx and 429 (rate limits count apart). */
export function errorCounts(samples: readonly Pick<Sample, 'status'>[]): { errors: number; rateLimited: number } {
  let errors = 0, rateLimited = 0;
  for (const s of samples) {
    if (s.status === 429) rateLimited++;
    else if (!isOk(s.status)) errors++;
  }
  return { errors, rateLimited };
}

/** Growth from start to end in percent (null when there is no start figure). */
export function growthPercent(start: number | null, end: number | null): number | null {
  if (start === null || end === null || start <= 0) return null;
  return round(((end - start) / start) * 100);
}

/** What the sink recorded for one accepted message. */
export interface MailRecord {
  readonly messageId: string;
  readonly notificationId: string | null;
  readonly to: string;
  /** X-Herald-Digest ("DAILY <period>") of a digest email; null for a notification's email. */
  readonly digest?: string | null;
}

export interface DeliveryVerdict {
  readonly expected: number;
  /** Notifications with at least one delivered email. */
  readonly delivered: number;
  /** Notifications with no email at all. */
  readonly lost: number;
  /** Notifications emailed under two or more Message-IDs, plus (burst drills) recipients who got two different emails. */
  readonly duplicated: number;
  /** SMTP re-sends of a Message-ID already received (a crash between acceptance and the log's completion); receivers collapse them. */
  readonly resentSameMessageId: number;
  /** Emails for notifications that were not expected (another drill's, or a stray): reported, never expected. */
  readonly unexpected: number;
}

/**
 * The exactly-once verdict for a set of notification ids. `onePerRecipient` adds the burst drills'
 * rule (each recipient got exactly one notification, so two distinct emails to one address are a
 * duplicate even if they carried different notification ids).
 */
export function verifyDelivery(expectedIds: readonly string[], mails: readonly MailRecord[], onePerRecipient: boolean): DeliveryVerdict {
  const expected = new Set(expectedIds);
  const idsByNotification = new Map<string, Set<string>>();
  const copies = new Map<string, number>();
  const idsByRecipient = new Map<string, Set<string>>(); // recipient → notification ids
  let unexpected = 0;
  for (const m of mails) {
    if (!m.notificationId || !expected.has(m.notificationId)) {
      unexpected++;
      continue;
    }
    idsByNotification.set(m.notificationId, (idsByNotification.get(m.notificationId) ?? new Set()).add(m.messageId));
    copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    idsByRecipient.set(m.to, (idsByRecipient.get(m.to) ?? new Set()).add(m.notificationId));
  }
  let duplicated = 0;
  for (const ids of idsByNotification.values()) if (ids.size > 1) duplicated += ids.size - 1;
  // Two notifications' emails to one recipient who was sent one (a notification created twice).
  if (onePerRecipient) for (const ids of idsByRecipient.values()) if (ids.size > 1) duplicated += ids.size - 1;
  let resent = 0;
  for (const n of copies.values()) resent += n - 1;
  return {
    expected: expected.size,
    delivered: idsByNotification.size,
    lost: expected.size - idsByNotification.size,
    duplicated,
    resentSameMessageId: resent,
    unexpected,
  };
}

/** The digests drill's verdict, per recipient (`delivered`, `lost` count users): a second Message-ID to one user is a duplicate, a second copy of one a re-send. */
export function digestVerdict(recipients: readonly string[], mails: readonly MailRecord[]): DeliveryVerdict {
  const expected = new Set(recipients);
  const ids = new Map<string, Set<string>>();
  let copies = 0, unexpected = 0;
  for (const m of mails) {
    if (!expected.has(m.to)) {
      unexpected++;
      continue;
    }
    copies++;
    ids.set(m.to, (ids.get(m.to) ?? new Set()).add(m.messageId));
  }
  const distinct = [...ids.values()].reduce((s, set) => s + set.size, 0);
  return {
    expected: expected.size,
    delivered: ids.size,
    lost: expected.size - ids.size,
    duplicated: distinct - ids.size,
    resentSameMessageId: copies - distinct,
    unexpected,
  };
}

/** One drill's JSON line: its figures, each target with whether it was met, and the verdict. */
export interface DrillReport {
  readonly drill: string;
  readonly passed: boolean;
  readonly targets: Record<string, boolean>;
  readonly [figure: string]: unknown;
}

export function drillReport(drill: string, targets: Record<string, boolean>, figures: Record<string, unknown>): DrillReport {
  return { drill, passed: Object.values(targets).every(Boolean), targets, ...figures };
}
