import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { NotificationPriority, NotificationType, Role } from '../platform/db/schema.js';
import { NOT_EXPIRED, NOTIFICATION_COLUMNS, VISIBLE, type NotificationRow } from './inbox.repository.js';
import type { NotificationContent } from './notifications.schemas.js';

/** A user's inbox, optionally narrowed by read state, type(s), priority and archive view. */
export interface InboxFilter {
  userId: string;
  read?: boolean;
  type?: NotificationType;
  types?: readonly NotificationType[];
  priority?: NotificationPriority;
  /** 'false' (default): the feed; 'true': only archived; 'all': both. */
  archived?: 'true' | 'false' | 'all';
}

/** What a bulk request (and each single action) does to a notification. */
export type InboxAction = 'read' | 'unread' | 'seen' | 'archive' | 'unarchive' | 'delete';

// An expired notification is gone for its user: no action finds it (it is purged later).
const notExpired = sql.raw<boolean>(NOT_EXPIRED);
const columns = sql.raw(NOTIFICATION_COLUMNS.join(', '));

/**
 * Each action's change, and the condition under which it changes anything: a row already in that
 * state is not counted, so concurrent requests over the same ids count each change once (the
 * second waits for the first's row lock and re-reads the condition).
 */
const ACTIONS: Record<Exclude<InboxAction, 'delete'>, { set: RawBuilder<unknown>; when: RawBuilder<boolean> }> = {
  read: { set: sql`read = true, read_at = coalesce(read_at, now()), seen_at = coalesce(seen_at, now())`, when: sql`read = false` },
  unread: { set: sql`read = false, read_at = NULL`, when: sql`read = true` },
  seen: { set: sql`seen_at = now()`, when: sql`seen_at IS NULL` },
  archive: { set: sql`archived_at = now()`, when: sql`archived_at IS NULL` },
  unarchive: { set: sql`archived_at = NULL`, when: sql`archived_at IS NOT NULL` },
};

/**
 * The ids of the rows matching `where`, locked in id order. A row changed by another request while
 * this one waited for its lock is checked again (READ COMMITTED re-reads it) and left out if it no
 * longer matches; once locked it cannot change before the statement's own write.
 */
const lockedInIdOrder = (where: RawBuilder<unknown>) => sql`SELECT id FROM notifications WHERE ${where} ORDER BY id FOR UPDATE`;

/** Writes of the inbox; its hot reads (page + total, unread counts) are in inbox.repository.ts (InboxReads). */
export class NotificationsRepository extends Repository {
  /** Marks read (and seen); a second call keeps the first read_at. Undefined when not the user's. */
  async markRead(userId: string, id: string): Promise<{ id: string; read_at: Date | null } | undefined> {
    const result = await sql<{ id: string; read_at: Date | null }>`
      UPDATE notifications SET ${ACTIONS.read.set} WHERE id = ${id} AND user_id = ${userId} AND ${notExpired} RETURNING id, read_at`.execute(this.db);
    return result.rows[0];
  }

  /**
   * One action on one notification of the user; the row as it is after it, and whether the action
   * changed it (a row already in that state is left as it is: archiving twice keeps the first
   * archivedAt). Undefined when it is not the user's (or expired).
   */
  async apply(userId: string, id: string, action: Exclude<InboxAction, 'delete'>): Promise<{ row: NotificationRow; changed: boolean } | undefined> {
    const { set, when } = ACTIONS[action];
    const updated = await sql<NotificationRow>`
      UPDATE notifications SET ${set} WHERE id = ${id} AND user_id = ${userId} AND ${notExpired} AND ${when} RETURNING ${columns}`.execute(this.db);
    if (updated.rows[0]) return { row: updated.rows[0], changed: true };
    const current = await sql<NotificationRow>`
      SELECT ${columns} FROM notifications WHERE id = ${id} AND user_id = ${userId} AND ${notExpired}`.execute(this.db);
    return current.rows[0] ? { row: current.rows[0], changed: false } : undefined;
  }

  /**
   * One action on the user's notifications among ids; the ids it changed (others' ids match nothing).
   * Rows are locked in id order first (lockedInIdOrder), as by every statement here that changes
   * many of a user's rows: locked in scan order, two requests over overlapping ids (or a bulk
   * request and read-all, which scans the feed index) deadlocked, and one of them failed with a 500.
   */
  async bulk(userId: string, ids: readonly string[], action: InboxAction): Promise<string[]> {
    const rows = sql`id = ANY(${[...new Set(ids)]}::uuid[]) AND user_id = ${userId} AND ${notExpired}`;
    const result = action === 'delete'
      ? await sql<{ id: string }>`
          WITH locked AS MATERIALIZED (${lockedInIdOrder(rows)})
          DELETE FROM notifications n USING locked WHERE n.id = locked.id RETURNING n.id`.execute(this.db)
      : await sql<{ id: string }>`
          WITH locked AS MATERIALIZED (${lockedInIdOrder(sql`${rows} AND ${ACTIONS[action].when}`)})
          UPDATE notifications n SET ${ACTIONS[action].set} FROM locked WHERE n.id = locked.id AND ${ACTIONS[action].when} RETURNING n.id`.execute(this.db);
    return result.rows.map((r) => r.id);
  }

  /**
   * Every notification of the user read (and seen), but one snoozed into the future: it comes back
   * unread, as its snooze promised.
   */
  async markAllRead(userId: string): Promise<number> {
    const result = await sql`
      WITH locked AS MATERIALIZED (${lockedInIdOrder(sql`user_id = ${userId} AND read = false AND ${sql.raw(VISIBLE)}`)})
      UPDATE notifications n SET read = true, read_at = now(), seen_at = coalesce(seen_at, now())
      FROM locked WHERE n.id = locked.id AND n.read = false`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** markAllRead, answering the ids it read (for their notification.read webhook events). */
  async markAllReadIds(userId: string): Promise<string[]> {
    const result = await sql<{ id: string }>`
      WITH locked AS MATERIALIZED (${lockedInIdOrder(sql`user_id = ${userId} AND read = false AND ${sql.raw(VISIBLE)}`)})
      UPDATE notifications n SET read = true, read_at = now(), seen_at = coalesce(seen_at, now())
      FROM locked WHERE n.id = locked.id AND n.read = false RETURNING n.id`.execute(this.db);
    return result.rows.map((r) => r.id);
  }

  /** Whether the user's notification is unread, its row locked until the transaction ends (a read that must know it changed it). */
  async lockUnread(userId: string, id: string): Promise<boolean> {
    const result = await sql<{ read: boolean }>`SELECT read FROM notifications WHERE id = ${id} AND user_id = ${userId} FOR UPDATE`.execute(this.db);
    return result.rows[0]?.read === false;
  }

  /** What a bell does when opened: every notification of the feed shown so far becomes seen. */
  async markAllSeen(userId: string): Promise<number> {
    const feedUnseen = sql`user_id = ${userId} AND read = false AND seen_at IS NULL AND archived_at IS NULL AND ${sql.raw(VISIBLE)}`;
    const result = await sql`
      WITH locked AS MATERIALIZED (${lockedInIdOrder(feedUnseen)})
      UPDATE notifications n SET seen_at = now() FROM locked WHERE n.id = locked.id AND ${feedUnseen}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('notifications').where('id', '=', id).where('user_id', '=', userId).where(notExpired).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Hides a notification until `until`, and sets now how it comes back: unread, unseen, ranked at
   * `until` (the top of its priority band then). Visibility is the predicate of VISIBLE, so it is
   * back at that instant whether or not the wake job has run.
   */
  async snooze(userId: string, id: string, until: Date): Promise<NotificationRow | undefined> {
    const result = await sql<NotificationRow>`
      UPDATE notifications SET snoozed_until = ${until}, ranked_at = ${until}, read = false, read_at = NULL, seen_at = NULL
      WHERE id = ${id} AND user_id = ${userId} AND ${notExpired} RETURNING ${columns}`.execute(this.db);
    return result.rows[0];
  }

  /** Back now (at the top of its band) if still snoozed; the row as it is, undefined when not the user's. */
  async unsnooze(userId: string, id: string): Promise<{ row: NotificationRow; changed: boolean } | undefined> {
    const result = await sql<NotificationRow & { changed: boolean }>`
      UPDATE notifications n SET snoozed_until = NULL,
        ranked_at = CASE WHEN n.snoozed_until > now() THEN now() ELSE n.ranked_at END
      FROM (SELECT id, snoozed_until IS NOT NULL AS changed FROM notifications WHERE id = ${id} AND user_id = ${userId} FOR UPDATE) old
      WHERE n.id = old.id AND ${notExpired}
      RETURNING ${sql.raw(NOTIFICATION_COLUMNS.map((c) => `n.${c}`).join(', '))}, old.changed`.execute(this.db);
    const row = result.rows[0];
    if (!row) return undefined;
    const { changed, ...rest } = row;
    return { row: rest, changed };
  }

  /**
   * The end of a snooze: clears it when it is still the one the job was scheduled for (a later
   * re-snooze, an unsnooze or a delete leave nothing to wake), and the row has not expired
   * meanwhile (it is gone for its user: told awake, a client would show it again). The woken row,
   * with its user.
   */
  async wake(id: string, until: Date): Promise<(NotificationRow & { user_id: string }) | undefined> {
    const result = await sql<NotificationRow & { user_id: string }>`
      UPDATE notifications SET snoozed_until = NULL WHERE id = ${id} AND snoozed_until = ${until} AND ${notExpired} RETURNING user_id, ${columns}`.execute(this.db);
    return result.rows[0];
  }

  /**
   * One bounded batch of the retention purge: expired rows (gone for their users already), or
   * read rows created before the cutoff. Each a short statement on its partial index, so the purge
   * never holds many row locks or a long transaction. How many rows it deleted.
   */
  async purgeBatch(kind: 'expired' | 'read', cutoff: Date, limit: number): Promise<number> {
    // SKIP LOCKED: the purge never waits for a row a user's request holds (it takes it next time),
    // so it can never be one side of a deadlock with requests that lock in id order.
    const result = kind === 'expired'
      ? await sql`DELETE FROM notifications WHERE id IN (
          SELECT id FROM notifications WHERE expires_at IS NOT NULL AND expires_at <= now() ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(this.db)
      : await sql`DELETE FROM notifications WHERE id IN (
          SELECT id FROM notifications WHERE read AND created_at < ${cutoff} ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * The next users (after `after`, in id order) with rows of a batch that expire at `at`, with the
   * ids of those rows: the expiry job tells their streams page by page.
   */
  async expiredOfBatch(batchId: string, at: Date, after: string | null, limit: number) {
    const result = await sql<{ user_id: string; ids: string[] }>`
      SELECT user_id, array_agg(id::text) AS ids FROM notifications
      WHERE batch_id = ${batchId} AND expires_at = ${at} AND (${after}::uuid IS NULL OR user_id > ${after}::uuid)
      GROUP BY user_id ORDER BY user_id LIMIT ${limit}`.execute(this.db);
    return result.rows;
  }

  /**
   * Creates one row per existing user among userIds (distinct); returns the new notification ids.
   * A join on unnest, not `id = ANY(array)`: when statistics made the planner pick a sequential
   * scan, ANY compared every user row with every array element (10,000 ids against 20,000 users
   * took 25 s in the crash drill, 185 s forced); a join is hashed or probes the key either way.
   */
  async insertForUsers(userIds: readonly string[], content: NotificationContent, batchId: string | null): Promise<{ id: string; user_id: string }[]> {
    if (userIds.length === 0) return [];
    const rows = await sql<{ id: string; user_id: string }>`
      INSERT INTO notifications (user_id, type, title, message, action_url, priority, metadata, critical, batch_id, expires_at)
      SELECT u.id, ${content.type}, ${content.title}, ${content.message}, ${content.actionUrl}, ${content.priority},
             ${content.metadata === null ? null : JSON.stringify(content.metadata)}::jsonb, ${content.critical}, ${batchId}, ${content.expiresAt ?? null}::timestamptz
      FROM unnest(${userIds}::uuid[]) AS t(id) JOIN users u ON u.id = t.id
      RETURNING id, user_id`.execute(this.db);
    return rows.rows;
  }

  /** The recipients of these notifications, aligned with `ids` (a fan-out page that did not aggregate them). */
  async recipientsOf(ids: readonly string[]): Promise<string[]> {
    const rows = await this.db.selectFrom('notifications').select(['id', 'user_id']).where('id', 'in', [...ids]).execute();
    const owners = new Map(rows.map((r) => [r.id, r.user_id]));
    return ids.map((id) => owners.get(id)!);
  }

  /**
   * The next page of a fan-out: users of the role (or all) created before the batch, after the
   * cursor, in id order. One INSERT … SELECT per page; returns the new ids, their users when asked
   * (`withUsers`: aggregated in the same pass, so aligned with the ids; webhook events name both,
   * and only a subscribed endpoint pays for them) and the last user id.
   */
  async insertPage(page: { role: Role | null; after: string | null; createdBefore: Date; limit: number; withUsers?: boolean }, content: NotificationContent, batchId: string) {
    const result = await sql<{ ids: string[] | null; users: string[] | null; last: string | null }>`
      WITH targets AS (
        SELECT id FROM users
        WHERE (${page.role}::user_role IS NULL OR role = ${page.role}::user_role)
          AND created_at <= ${page.createdBefore}
          AND (${page.after}::uuid IS NULL OR id > ${page.after}::uuid)
        ORDER BY id LIMIT ${page.limit}
      ), inserted AS (
        INSERT INTO notifications (user_id, type, title, message, action_url, priority, metadata, critical, batch_id, expires_at)
        SELECT id, ${content.type}, ${content.title}, ${content.message}, ${content.actionUrl}, ${content.priority},
               ${content.metadata === null ? null : JSON.stringify(content.metadata)}::jsonb, ${content.critical}, ${batchId}, ${content.expiresAt ?? null}::timestamptz
        FROM targets
        RETURNING id, user_id
      )
      SELECT i.ids, i.users, (SELECT id FROM targets ORDER BY id DESC LIMIT 1) AS last
      FROM (SELECT array_agg(id::text) AS ids, ${page.withUsers ? sql`array_agg(user_id::text)` : sql`NULL::text[]`} AS users FROM inserted) i`.execute(this.db);
    const row = result.rows[0]!;
    return { ids: row.ids ?? [], users: row.users ?? [], last: row.last };
  }
}
