import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { NotificationPriority, NotificationType } from '../platform/db/schema.js';
import { isId } from '../platform/http/validation.js';

/** One notification as an admin tracing it sees it: its content, its inbox state and its recipient. */
export interface HistoryNotification {
  readonly id: string;
  readonly userId: string;
  readonly userEmail: string;
  readonly type: NotificationType;
  readonly title: string;
  readonly priority: NotificationPriority;
  readonly critical: boolean;
  readonly batchId: string | null;
  readonly createdAt: Date;
  readonly seenAt: Date | null;
  readonly readAt: Date | null;
  readonly archivedAt: Date | null;
  readonly snoozedUntil: Date | null;
  readonly expiresAt: Date | null;
  /** The inserting transaction (xid8 as text): which digest window covers it. */
  readonly xid: string;
}

/** A delivery job of the notification, from its outbox row (kept after completion, never purged). */
export interface HistoryRelay {
  readonly outboxId: string;
  readonly createdAt: Date;
  readonly relayedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  /** A quiet-hours hold: the delayed run's instant. */
  readonly heldUntil: Date | null;
}

export interface HistorySearch {
  readonly id?: string;
  readonly userId?: string;
  readonly email?: string;
  readonly limit: number;
  readonly offset: number;
}

// A held run's job id is quiet-<end ms>-<digest> (DeliveryService.hold) and its end is within a day
// of the delivery job that held it, itself moments after the notification: eight days of ends
// bound the probe of outbox_job_idx and still find a run held again after a change of quiet hours.
const HELD_WINDOW_MS = 8 * 86_400_000;

type Row = {
  id: string; user_id: string; email: string; type: NotificationType; title: string; priority: NotificationPriority; critical: boolean;
  batch_id: string | null; created_at: Date; seen_at: Date | null; read_at: Date | null; archived_at: Date | null;
  snoozed_until: Date | null; expires_at: Date | null; xid: string; total?: number;
};

const view = (r: Row): HistoryNotification => ({
  id: r.id, userId: r.user_id, userEmail: r.email, type: r.type, title: r.title, priority: r.priority, critical: r.critical,
  batchId: r.batch_id, createdAt: r.created_at, seenAt: r.seen_at, readAt: r.read_at, archivedAt: r.archived_at,
  snoozedUntil: r.snoozed_until, expiresAt: r.expires_at, xid: r.xid,
});

const COLUMNS = sql`n.id, n.user_id, u.email, n.type, n.title, n.priority, n.critical, n.batch_id, n.created_at, n.seen_at, n.read_at,
  n.archived_at, n.snoozed_until, n.expires_at, n.xid::text AS xid`;

/** What the admin's message timeline and notification search read of notifications (admin only, never a user's view). */
export class HistoryRepository extends Repository {
  async find(id: string): Promise<HistoryNotification | null> {
    if (!isId(id)) return null;
    const result = await sql<Row>`SELECT ${COLUMNS} FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = ${id}::uuid`.execute(this.db);
    return result.rows[0] ? view(result.rows[0]) : null;
  }

  /**
   * Notifications by id, user or user email (exactly one given; an id that is not a UUID or an
   * unknown email matches nothing), newest first, with the total. A user's are sorted from
   * notifications_feed_idx/archive_idx's user_id prefix: an admin search, not a hot path.
   */
  async search(filter: HistorySearch): Promise<{ items: HistoryNotification[]; total: number }> {
    const where = filter.id !== undefined ? (isId(filter.id) ? sql`n.id = ${filter.id}::uuid` : sql`false`)
      : filter.userId !== undefined ? (isId(filter.userId) ? sql`n.user_id = ${filter.userId}::uuid` : sql`false`)
        : sql`u.email = ${(filter.email ?? '').toLowerCase()}`;
    const result = await sql<Row>`
      SELECT t.total, p.* FROM (SELECT count(*)::int AS total FROM notifications n JOIN users u ON u.id = n.user_id WHERE ${where}) t
      LEFT JOIN LATERAL (SELECT ${COLUMNS} FROM notifications n JOIN users u ON u.id = n.user_id WHERE ${where}
        ORDER BY n.created_at DESC, n.id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}) p ON true`.execute(this.db);
    const total = result.rows[0]?.total ?? 0;
    return { items: result.rows.filter((r) => r.id !== null).map(view), total };
  }

  /**
   * The notification's delivery jobs: the one written with it (same transaction, so the same
   * created_at: outbox_delivery_created_idx, 0019) and any run held by quiet hours (its job id
   * names its end, found through outbox_job_idx), each checked to carry this id in its payload.
   */
  async relays(n: Pick<HistoryNotification, 'id' | 'createdAt'>): Promise<HistoryRelay[]> {
    const ids = JSON.stringify([n.id]);
    const from = `quiet-${n.createdAt.getTime()}`;
    const to = `quiet-${n.createdAt.getTime() + HELD_WINDOW_MS}`;
    const result = await sql<{ id: string; created_at: Date; relayed_at: Date | null; completed_at: Date | null; failed_at: Date | null; delay_until: Date | null; held: boolean }>`
      SELECT id::text AS id, created_at, relayed_at, completed_at, failed_at, delay_until, job_id IS NOT NULL AS held FROM (
        -- Compared in SQL: created_at has microseconds, a JavaScript Date only milliseconds.
        SELECT o.* FROM outbox o WHERE o.queue = 'notification-delivery'
          AND o.created_at = (SELECT created_at FROM notifications WHERE id = ${n.id}::uuid)
        UNION
        SELECT o.* FROM outbox o WHERE o.queue = 'notification-delivery' AND o.job_id >= ${from} AND o.job_id < ${to}
      ) o WHERE payload->'notificationIds' @> ${ids}::jsonb
      ORDER BY o.id`.execute(this.db);
    return result.rows.map((r) => ({
      outboxId: r.id, createdAt: r.created_at, relayedAt: r.relayed_at, completedAt: r.completed_at, failedAt: r.failed_at,
      heldUntil: r.held ? r.delay_until : null,
    }));
  }
}
