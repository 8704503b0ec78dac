import type { NotificationPriority, NotificationType } from '../../src/platform/db/schema.js';

/**
 * Deterministic, realistic-looking rows for COPY … FROM STDIN (text format: tab-separated, \N for
 * NULL). Nothing generated here contains a tab, newline or backslash, so no escaping is needed.
 */

const DAY_MS = 86_400_000;

/** mulberry32: a fast seeded PRNG, so two runs seed the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weighted<T extends string>(weights: Record<T, number>): (r: number) => T {
  const entries = Object.entries(weights) as Array<[T, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return (r) => {
    let x = r * total;
    for (const [value, w] of entries) if ((x -= w) < 0) return value;
    return entries[entries.length - 1]![0];
  };
}

// Chat and workflow events dominate a creator platform's inbox; system notices are rare.
const pickType = weighted<NotificationType>({
  MESSAGE: 22, POST_STATUS_CHANGED: 15, PROJECT: 14, POST_ASSIGNED: 10, BLOG: 10, ROYALTY: 9, LICENSE: 8, PAYOUT: 7, SYSTEM: 5,
});
const pickPriority = weighted<NotificationPriority>({ LOW: 30, MEDIUM: 50, HIGH: 15, URGENT: 5 });

const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Radia'];
const STATUSES = ['DRAFT', 'IN_REVIEW', 'APPROVED', 'PUBLISHED', 'REJECTED'];

type Content = [title: string, message: string, actionUrl: string | null, metadata: string | null];

function content(type: NotificationType, n: number, r: () => number): Content {
  const who = NAMES[n % NAMES.length]!;
  switch (type) {
    case 'MESSAGE':
      return [`New message from ${who}`, `${who} sent you a message about project #${n % 5000}: "Can we move the review to Thursday?"`, `/messages/${n}`, null];
    case 'POST_STATUS_CHANGED': {
      const status = STATUSES[n % STATUSES.length]!;
      return [`Post moved to ${status}`, `Your post "Weekly update ${n % 52}" is now ${status}.`, `/posts/${n}`, `{"postId":${n},"status":"${status}"}`];
    }
    case 'PROJECT':
      return ['Project updated', `${who} updated the timeline of project #${n % 5000}.`, `/projects/${n % 5000}`, null];
    case 'POST_ASSIGNED':
      return ['A post was assigned to you', `${who} assigned you "Campaign brief ${n % 300}". Due in ${1 + (n % 14)} days.`, `/posts/${n}`, `{"postId":${n}}`];
    case 'BLOG':
      return ['New on the blog', `Read "${10 + (n % 90)} ways to grow your audience" on the Herald blog.`, `https://blog.herald.local/posts/${n % 400}`, null];
    case 'ROYALTY':
      return ['Royalty statement ready', `Your royalty statement for period ${2024 + (n % 2)}-${String(1 + (n % 12)).padStart(2, '0')} is ready.`, `/royalties/${n}`, `{"statementId":${n}}`];
    case 'LICENSE':
      return ['License request approved', `Your license request #${n} for "Track ${n % 900}" was approved.`, `/licenses/${n}`, `{"licenseId":${n}}`];
    case 'PAYOUT': {
      const amount = (10 + r() * 990).toFixed(2);
      return ['Payout sent', `A payout of $${amount} is on its way to your bank account.`, '/payouts', `{"amount":${amount},"currency":"USD"}`];
    }
    case 'SYSTEM':
      return ['Scheduled maintenance', 'Herald will be unavailable for 15 minutes on Sunday at 02:00 UTC.', null, null];
  }
}

export const USER_COLUMNS = ['id', 'email', 'name', 'role', 'password_hash', 'password_changed_at', 'created_at'] as const;

/** VIEWER users userN@bench.local (N from 1), created 90–365 days ago, sharing one password hash. */
export function* userRows(ids: readonly string[], passwordHash: string, now: number): Generator<string> {
  const r = prng(1);
  for (let i = 0; i < ids.length; i++) {
    const created = new Date(now - (90 + r() * 275) * DAY_MS).toISOString();
    yield `${ids[i]}\tuser${i + 1}@bench.local\tBench User ${i + 1}\tVIEWER\t${passwordHash}\t${created}\t${created}`;
  }
}

export const NOTIFICATION_COLUMNS = [
  'user_id', 'type', 'title', 'message', 'action_url', 'priority', 'read', 'read_at', 'metadata', 'created_at',
  'seen_at', 'archived_at', 'snoozed_until', 'expires_at', 'ranked_at',
] as const;

/**
 * The inbox states of issue 17 (0015), in shares that exercise every predicate of the feed and the
 * archive: archived rows leave the feed's partial index, snoozed and expired ones are in it but
 * filtered out on its included columns, woken snoozes sort by ranked_at instead of created_at.
 */
const SHARES = {
  /** Archived (~10%); most people archive what they have read. */
  archived: 0.1, archivedRead: 0.75,
  /** Unread rows already shown in an opened bell (read rows are always seen). */
  unreadSeen: 0.5,
  /** Snoozed until a moment 1 hour to 7 days ahead (~1%): unread, unseen, ranked at `until`. */
  snoozed: 0.01,
  /** Snoozed earlier and woken (~1%): snoozed_until cleared, ranked_at kept (ranked_at ≠ created_at). */
  woken: 0.01,
  /** With an expiry (~5%): a fifth of them already past and waiting for the retention purge. */
  expiring: 0.05, expired: 0.2,
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `perUser` notifications for each user over the last 90 days, in time order and interleaved
 * across users as production inserts them: round j gives every user one notification from the
 * j-th slice of the 90 days, so one user's rows sit on many heap pages, not a few adjacent ones.
 * The older a notification, the likelier it is read (0.6 × age / 90 days: ~30% overall, a little
 * more with archived rows); then the inbox states in SHARES.
 */
export function* notificationRows(userIds: readonly string[], perUser: number, now: number, seed = 2): Generator<string> {
  const r = prng(seed);
  const span = 90 * DAY_MS;
  let n = 0;
  for (let j = 0; j < perUser; j++) {
    for (const userId of userIds) {
      n++;
      const age = span * (1 - (j + r()) / perUser);
      const created = now - age;
      const type = pickType(r());
      const [title, message, actionUrl, metadata] = content(type, n, r);
      const archived = r() < SHARES.archived;
      const snoozed = !archived && r() < SHARES.snoozed;
      // A snoozed row is unread and unseen: snoozing sets it so (NotificationsRepository.snooze).
      const read = !snoozed && (archived ? r() < SHARES.archivedRead : r() < (0.6 * age) / span);
      const readAt = read ? created + age * r() : null;
      const seenAt = readAt ?? (!snoozed && r() < SHARES.unreadSeen ? created + age * r() : null);
      const archivedAt = archived ? Math.max(readAt ?? created, created + age * r()) : null;
      let snoozedUntil: number | null = null;
      let rankedAt: number | null = null;
      if (snoozed) {
        snoozedUntil = now + (1 / 24 + r() * 7) * DAY_MS;
        rankedAt = snoozedUntil;
      } else if (r() < SHARES.woken) {
        rankedAt = created + age * r();
      }
      let expiresAt: number | null = null;
      if (r() < SHARES.expiring) expiresAt = r() < SHARES.expired ? now - r() * DAY_MS : now + (1 + r() * 29) * DAY_MS;
      const opt = (ms: number | null) => (ms === null ? '\\N' : iso(ms));
      yield `${userId}\t${type}\t${title}\t${message}\t${actionUrl ?? '\\N'}\t${pickPriority(r())}\t${read ? 't' : 'f'}\t${opt(readAt)}\t${metadata ?? '\\N'}\t${iso(created)}` +
        `\t${opt(seenAt)}\t${opt(archivedAt)}\t${opt(snoozedUntil)}\t${opt(expiresAt)}\t${opt(rankedAt)}`;
    }
  }
}
