import type pg from 'pg';
import { NOTIFICATION_TYPES, type NotificationPriority, type NotificationType } from '../platform/db/schema.js';
import type { InboxFilter } from './notifications.repository.js';

/** The columns of a notification that users see (everything but `critical`, the batch and the ranking). */
export interface NotificationRow {
  id: string;
  type: NotificationType;
  title: string;
  message: string;
  action_url: string | null;
  priority: NotificationPriority;
  read: boolean;
  read_at: Date | null;
  seen_at: Date | null;
  archived_at: Date | null;
  snoozed_until: Date | null;
  expires_at: Date | null;
  metadata: unknown;
  created_at: Date;
}

/** The columns of NotificationRow, for every statement that reads a notification for its view. */
export const NOTIFICATION_COLUMNS = ['id', 'type', 'title', 'message', 'action_url', 'priority', 'read', 'read_at', 'seen_at', 'archived_at', 'snoozed_until', 'expires_at', 'metadata', 'created_at'] as const;

/**
 * What hides a notification from every list and count, whatever the view: a snooze not yet over,
 * an expiry reached. On the statement's own clock (now()), so a page and its total agree.
 */
const NOT_SNOOZED = '(snoozed_until IS NULL OR snoozed_until <= now())';
export const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > now())';
export const VISIBLE = `${NOT_SNOOZED} AND ${NOT_EXPIRED}`;

/** A page row: `id` is null in the single row of a page past the end, which carries the total. */
export type InboxRow = Omit<NotificationRow, 'id'> & { id: string | null; total: number };

/** Unread counts of the feed (not archived, visible): all, never shown, and per type when asked. */
export interface UnreadCounts {
  count: number;
  unseen: number;
  byType?: Record<NotificationType, number>;
}

const ORDER = 'read ASC, priority DESC, coalesce(ranked_at, created_at) DESC, id DESC';

/**
 * The list page and its total in one statement. The same filters always give the same text, so
 * it runs as a named prepared statement (planned once per connection). LEFT JOIN LATERAL keeps
 * the total when the page is past the end (one row of nulls). The feed's order is the order of
 * notifications_feed_idx (0015), the archive's that of notifications_archive_idx.
 */
export function inboxPageStatement(filter: InboxFilter, limit: number, offset: number): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [filter.userId, limit, offset];
  const conditions = [VISIBLE];
  let mask = 0;
  const archived = filter.archived ?? 'false';
  if (archived === 'true') mask |= 8; else if (archived === 'all') mask |= 16;
  if (filter.read !== undefined) { values.push(filter.read); conditions.push(`read = $${values.length}`); mask |= 1; }
  if (filter.type) { values.push(filter.type); conditions.push(`type = $${values.length}::notification_type`); mask |= 2; }
  if (filter.priority) { values.push(filter.priority); conditions.push(`priority = $${values.length}::notification_priority`); mask |= 4; }
  if (filter.types) { values.push(filter.types); conditions.push(`type = ANY($${values.length}::notification_type[])`); mask |= 32; }
  const where = (part: string) => `user_id = $1 AND ${part} AND ${conditions.join(' AND ')}`;
  const columns = NOTIFICATION_COLUMNS.join(', ');
  if (archived !== 'all') {
    const w = where(archived === 'true' ? 'archived_at IS NOT NULL' : 'archived_at IS NULL');
    const text = `SELECT t.n AS total, p.* FROM (SELECT count(*)::int AS n FROM notifications WHERE ${w}) t
    LEFT JOIN LATERAL (SELECT ${columns} FROM notifications WHERE ${w} ORDER BY ${ORDER} LIMIT $2 OFFSET $3) p ON true`;
    return { name: `herald_inbox_page_${mask}`, text, values };
  }
  // Feed and archive together: no one index holds both (each is partial), and a plain WHERE on
  // both would count and sort every row of the user through another index. So each part is read
  // from its own index in its order, at most offset + limit rows each, and merged (Merge Append:
  // no sort); the total counts both parts, each through its own index.
  const feed = where('archived_at IS NULL');
  const archive = where('archived_at IS NOT NULL');
  const part = (w: string) => `(SELECT ${columns}, coalesce(ranked_at, created_at) AS sort_at FROM notifications WHERE ${w}
      ORDER BY ${ORDER} LIMIT $2::bigint + $3::bigint)`;
  const text = `SELECT t.n AS total, p.* FROM (SELECT count(*)::int AS n FROM (
      SELECT 1 FROM notifications WHERE ${feed} UNION ALL SELECT 1 FROM notifications WHERE ${archive}) c) t
    LEFT JOIN LATERAL (SELECT ${columns} FROM (${part(feed)} UNION ALL ${part(archive)}) b
      ORDER BY read ASC, priority DESC, sort_at DESC, id DESC LIMIT $2 OFFSET $3) p ON true`;
  return { name: `herald_inbox_page_${mask}`, text, values };
}

const FEED_UNREAD = `FROM notifications WHERE user_id = $1 AND read = false AND archived_at IS NULL AND ${VISIBLE}`;

export const unreadCountStatement = (userId: string) => ({
  name: 'herald_inbox_unread',
  text: `SELECT count(*)::int AS n, count(*) FILTER (WHERE seen_at IS NULL)::int AS unseen ${FEED_UNREAD}`,
  values: [userId],
});

export const unreadByTypeStatement = (userId: string) => ({
  name: 'herald_inbox_unread_by_type',
  text: `SELECT type::text AS type, count(*)::int AS n, count(*) FILTER (WHERE seen_at IS NULL)::int AS unseen ${FEED_UNREAD} GROUP BY type`,
  values: [userId],
});

/** Per-type rows into counts with every type present (zeros included). Pure. */
export function countsByType(rows: ReadonlyArray<{ type: string; n: number; unseen: number }>): Required<UnreadCounts> {
  const byType = Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, 0])) as Record<NotificationType, number>;
  let count = 0;
  let unseen = 0;
  for (const row of rows) {
    byType[row.type as NotificationType] = row.n;
    count += row.n;
    unseen += row.unseen;
  }
  return { count, unseen, byType };
}

/**
 * The inbox's hottest reads on the pg pool directly: prepared statements and no query builder
 * halve the cost of a list request (measured with bench:api). Every other statement of the inbox
 * lives in NotificationsRepository.
 */
export class InboxReads {
  constructor(private readonly pool: pg.Pool) {}

  async page(filter: InboxFilter, limit: number, offset: number): Promise<{ rows: InboxRow[]; total: number }> {
    const { rows } = await this.pool.query<InboxRow>(inboxPageStatement(filter, limit, offset));
    return { rows: rows.filter((r) => r.id !== null), total: rows[0]?.total ?? 0 };
  }

  async unreadCounts(userId: string, byType = false): Promise<UnreadCounts> {
    if (byType) {
      const { rows } = await this.pool.query<{ type: string; n: number; unseen: number }>(unreadByTypeStatement(userId));
      return countsByType(rows);
    }
    const { rows } = await this.pool.query<{ n: number; unseen: number }>(unreadCountStatement(userId));
    return { count: rows[0]?.n ?? 0, unseen: rows[0]?.unseen ?? 0 };
  }
}
