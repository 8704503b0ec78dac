import type { Db, Tx } from '../platform/db/client.js';
import { InvalidError, NotFoundError } from '../platform/errors.js';
import { toIso } from '../platform/http/reply.js';
import { INVALID_BODY, isId } from '../platform/http/validation.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { InboxReads, InboxRow, NotificationRow, UnreadCounts } from './inbox.repository.js';
import type { InboxAction, NotificationsRepository } from './notifications.repository.js';
import { MAX_SNOOZE_MS, type ListQuery, type NotificationView } from './notifications.schemas.js';
import type { WebhookEvents } from '../webhooks/index.js';

export const NOTIFICATION_NOT_FOUND = 'Notification not found';

/** The BullMQ job id of a notification's wake-up: at most one per notification (see InboxService.snooze). */
export const wakeJobId = (notificationId: string) => `wake-${notificationId}`;

/** A 400 with the contract's body, naming the field (as zod's issues do). */
export const invalidField = (field: string, message: string) => new InvalidError(INVALID_BODY, [{ code: 'custom', path: [field], message }]);

export function toView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    message: row.message,
    actionUrl: row.action_url,
    priority: row.priority,
    read: row.read,
    readAt: toIso(row.read_at),
    seen: row.seen_at !== null,
    seenAt: toIso(row.seen_at),
    archived: row.archived_at !== null,
    archivedAt: toIso(row.archived_at),
    snoozedUntil: toIso(row.snoozed_until),
    expiresAt: toIso(row.expires_at),
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    createdAt: toIso(row.created_at)!,
  };
}

export interface InboxServiceDeps {
  /** For the transactions of a snooze and of a wake-up. */
  readonly db: Db;
  readonly notifications: NotificationsRepository;
  /** The inbox's hot reads, on the pg pool. */
  readonly reads: InboxReads;
  /** The application's clock (Platform.now): what "in the future" means for a snooze. */
  readonly now: () => number;
  /**
   * Outbound webhooks: notification.read for each notification a call turned read, in its
   * transaction. While no endpoint subscribes (wants() false), reads run as they always did.
   */
  readonly webhooks: WebhookEvents;
}

/**
 * A user's inbox: its list and counts, and every change a user makes to their own notifications
 * (read, seen, unread, archive, snooze, bulk, delete). Creating notifications is NotificationsService's.
 */
export class InboxService {
  constructor(private readonly deps: InboxServiceDeps) {}

  async list(userId: string, query: ListQuery): Promise<{ items: NotificationView[]; total: number }> {
    const filter = { userId, read: query.read, type: query.type, types: query.types, priority: query.priority, archived: query.archived };
    const { rows, total } = await this.deps.reads.page(filter, query.pageSize, (query.page - 1) * query.pageSize);
    return { items: rows.map((r) => toView(r as InboxRow & { id: string })), total };
  }

  /** Unread and unseen of the feed (not archived, snoozed or expired); per type on request. */
  unreadCounts(userId: string, byType = false): Promise<UnreadCounts> {
    return this.deps.reads.unreadCounts(userId, byType);
  }

  /**
   * One action on one notification (mark unread, archive, unarchive, seen): the notification after
   * it; `changed` is false when it was already in that state (nothing to tell the streams).
   */
  async apply(userId: string, id: string, action: Exclude<InboxAction, 'delete'>): Promise<{ view: NotificationView; changed: boolean }> {
    if (!isId(id)) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    const result = action === 'read' && this.emitsRead()
      ? await this.deps.db.transaction().execute(async (tx) => {
        const applied = await this.deps.notifications.in(tx).apply(userId, id, action);
        if (applied?.changed) await this.emitRead(tx, userId, [id]);
        return applied;
      })
      : await this.deps.notifications.apply(userId, id, action);
    if (!result) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    return { view: toView(result.row), changed: result.changed };
  }

  /** One action on up to 100 of the user's notifications: the ids it changed (others' match nothing). */
  bulk(userId: string, ids: readonly string[], action: InboxAction): Promise<string[]> {
    if (action !== 'read' || !this.emitsRead()) return this.deps.notifications.bulk(userId, ids, action);
    return this.deps.db.transaction().execute(async (tx) => {
      const changed = await this.deps.notifications.in(tx).bulk(userId, ids, action);
      await this.emitRead(tx, userId, changed);
      return changed;
    });
  }

  private emitsRead(): boolean {
    return this.deps.webhooks.wants('notification.read');
  }

  /** One statement for all of them (a bulk read, read-all). */
  private async emitRead(tx: Tx, userId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const readAt = new Date(this.deps.now()).toISOString();
    await this.deps.webhooks.emit(tx, ids.map((id) => ({ type: 'notification.read' as const, orderingKey: id, data: { notificationId: id, userId, readAt } })));
  }

  markAllSeen(userId: string): Promise<number> {
    return this.deps.notifications.markAllSeen(userId);
  }

  /**
   * Hides a notification until `until` (in the future, at most 90 days), and schedules in the same
   * transaction the job that tells open streams when it comes back (the outbox: it survives a
   * restart and a Redis flush). The row itself needs no job to come back: see repository.snooze.
   * One wake-up per notification (a fixed job id, written under the row's lock): a re-snooze
   * replaces the job waiting for the previous `until`, so snoozing one notification again and
   * again cannot pile up delayed jobs and open outbox rows for up to 90 days each.
   */
  async snooze(userId: string, id: string, untilIso: string): Promise<NotificationView> {
    const until = new Date(untilIso);
    const now = this.deps.now();
    if (until.getTime() <= now) throw invalidField('until', 'must be in the future');
    if (until.getTime() - now > MAX_SNOOZE_MS) throw invalidField('until', 'must be at most 90 days ahead');
    if (!isId(id)) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.notifications.in(tx).snooze(userId, id, until);
      if (!row) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
      await enqueueInTx(tx, 'notification-inbox', 'NotificationWake', { id, until: until.toISOString() }, { runAt: until, jobId: wakeJobId(id) });
      return toView(row);
    });
  }

  /** Back now, if snoozed. `changed` is false when it was not (nothing to tell the streams). */
  async unsnooze(userId: string, id: string): Promise<{ view: NotificationView; changed: boolean }> {
    const result = isId(id) ? await this.deps.notifications.unsnooze(userId, id) : undefined;
    if (!result) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    return { view: toView(result.row), changed: result.changed };
  }

  /**
   * The wake job: clears the snooze if it is still the one scheduled and, while the row is still
   * locked, `tell`s the user's streams. A delete (or re-snooze, archive…) of the row waits for this
   * transaction, so its event is always told after the wake: told after the commit instead, a wake
   * could reach a stream after the delete and bring the row back there. `tell` must not throw and
   * is short (the command connection fails fast while Redis is away). False when nothing was left
   * to wake (deleted, unsnoozed or snoozed again meanwhile).
   */
  wake(id: string, until: string, tell: (userId: string, view: NotificationView) => Promise<void>): Promise<boolean> {
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.notifications.in(tx).wake(id, new Date(until));
      if (!row) return false;
      await tell(row.user_id, toView(row));
      return true;
    });
  }

  async markRead(userId: string, id: string): Promise<{ id: string; read: true; readAt: string }> {
    if (!isId(id)) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    const row = this.emitsRead()
      ? await this.deps.db.transaction().execute(async (tx) => {
        // Locked first: of two concurrent reads, only the one that found it unread tells the webhooks.
        const unread = await this.deps.notifications.in(tx).lockUnread(userId, id);
        const read = await this.deps.notifications.in(tx).markRead(userId, id);
        if (read && unread) await this.emitRead(tx, userId, [id]);
        return read;
      })
      : await this.deps.notifications.markRead(userId, id);
    if (!row) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
    return { id: row.id, read: true, readAt: toIso(row.read_at)! };
  }

  markAllRead(userId: string): Promise<number> {
    if (!this.emitsRead()) return this.deps.notifications.markAllRead(userId);
    return this.deps.db.transaction().execute(async (tx) => {
      const ids = await this.deps.notifications.in(tx).markAllReadIds(userId);
      await this.emitRead(tx, userId, ids);
      return ids.length;
    });
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!isId(id) || !(await this.deps.notifications.delete(userId, id))) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
  }
}
