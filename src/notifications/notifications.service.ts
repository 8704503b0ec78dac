import { createHash } from 'node:crypto';
import type { Db, Executor, Tx } from '../platform/db/client.js';
import { NOTIFICATION_TYPES, type NotificationPriority, type NotificationType, type Role } from '../platform/db/schema.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { toIso } from '../platform/http/reply.js';
import { isId } from '../platform/http/validation.js';
import { chunk, enqueueInTx, enqueueManyInTx } from '../platform/queue/outbox.js';
import type { BatchesRepository } from './batches.repository.js';
import { batchView, type BatchStatus, type BatchView } from './batches.view.js';
import { DEFAULT_DELIVERY_PREFERENCES } from './delivery.rules.js';
import { invalidField } from './inbox.service.js';
import type { NotificationsRepository } from './notifications.repository.js';
import { MAX_EXPIRY_MS, type NotificationContent, type PreferencesView, type UpdatePreferencesInput } from './notifications.schemas.js';
import type { PreferencesRepository } from './preferences.repository.js';
import type { WebhookEvents } from '../webhooks/index.js';

/**
 * BullMQ priorities (lower runs first). Every delivery job carries one: BullMQ runs jobs without a
 * priority before all prioritized ones, so a plain lane would starve URGENT behind a fan-out.
 */
export const DELIVERY_PRIORITY: Record<NotificationPriority, number> = { URGENT: 1, HIGH: 2, MEDIUM: 3, LOW: 4 };

export type Recipients = { userIds: readonly string[] } | { role: Role } | { all: true };

export interface NotifyOptions {
  readonly idempotencyKey?: string | null;
  readonly createdBy?: string | null;
  /** The caller's transaction: the notifications commit (or roll back) with the caller's change. */
  readonly tx?: Tx;
}

/** The producer API's argument: exactly one of userIds, role or all, and the content. */
export type NotifyInput = ({ userIds: readonly string[] } | { role: Role } | { all: true }) & {
  type: NotificationType;
  title: string;
  message: string;
  actionUrl?: string | null;
  priority?: NotificationPriority;
  metadata?: Record<string, unknown> | null;
  critical?: boolean;
  /** Gone from lists and counts at that instant (issue 17); in the future, within a year. */
  expiresAt?: Date | string | null;
  idempotencyKey?: string | null;
  createdBy?: string | null;
};

export interface NotifyResult {
  /** Rows created by this call (0 for a fan-out, which creates them in the background). */
  readonly created: number;
  readonly skipped: number;
  readonly batchId: string;
  readonly status: BatchStatus;
  /** True when the idempotency key was seen before and nothing new was created. */
  readonly replayed: boolean;
}

/** A user who never saved preferences: the delivery rules' defaults (defined once, in delivery.rules.ts), in UTC. */
export const defaultPreferences = (userId: string): PreferencesView => ({
  userId, enabledTypes: [...DEFAULT_DELIVERY_PREFERENCES.enabledTypes], digestFrequency: DEFAULT_DELIVERY_PREFERENCES.digestFrequency,
  emailEnabled: DEFAULT_DELIVERY_PREFERENCES.emailEnabled, inAppEnabled: true, timezone: 'UTC', quietHours: null,
});

/** Stable across key order, so a retried request with the same body hashes the same. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

/**
 * The port through which a user's leaving DAILY/WEEKLY asks digests for a last digest of what was
 * still pending, in the transaction of the switch. Declared here, wired by the composition root to
 * digests' `enqueueDigestFlushInTx`: notifications knows nothing of digests' jobs.
 */
export type FlushDigest = (tx: Executor, flush: { userId: string; frequency: 'DAILY' | 'WEEKLY'; at: Date; until: string }) => Promise<void>;

export interface NotificationsServiceDeps {
  /** For the transactions of creating, fanning out and updating preferences. */
  readonly db: Db;
  readonly notifications: NotificationsRepository;
  readonly preferences: PreferencesRepository;
  readonly batches: BatchesRepository;
  readonly flushDigest: FlushDigest;
  /** Outbound webhooks: notification.created, in the transaction that creates the rows. */
  readonly webhooks: WebhookEvents;
  /** Users per fan-out page (WORKER_FANOUT_BATCH_SIZE). */
  readonly fanoutBatch: number;
  /** Notifications per delivery job (WORKER_DELIVERY_BATCH_SIZE). */
  readonly deliveryBatch: number;
  /** The application's clock (Platform.now): what "in the future" means for an expiry. */
  readonly now: () => number;
}

/**
 * A Date or string as an ISO instant; one that does not parse is passed on as given, for
 * checkExpiry to refuse with a 400 (toISOString would throw a RangeError, a 500 to an API caller).
 */
const instantOf = (value: Date | string): string => {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(value);
};


export class NotificationsService {
  constructor(private readonly deps: NotificationsServiceDeps) {}

  async getPreferences(userId: string): Promise<PreferencesView> {
    const row = await this.deps.preferences.find(userId);
    return row ? preferencesView(row) : defaultPreferences(userId);
  }

  /**
   * Saves the fields of a patch, and only those, atomically (a racing unsubscribe or time-zone
   * change is never undone). Leaving DAILY/WEEKLY for IMMEDIATE sends, in the same transaction's
   * outbox, a last digest of what was still pending: only the transaction whose update changed the
   * frequency under the row lock does, so two concurrent switches flush once.
   */
  async updatePreferences(userId: string, patch: UpdatePreferencesInput): Promise<PreferencesView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const { row, previousFrequency: left } = await this.deps.preferences.in(tx).update(userId, {
        enabledTypes: patch.enabledTypes ? NOTIFICATION_TYPES.filter((t) => patch.enabledTypes!.includes(t)) : undefined,
        digestFrequency: patch.digestFrequency,
        emailEnabled: patch.emailEnabled,
        timezone: patch.timezone === undefined ? undefined : patch.timezone === 'UTC' ? null : patch.timezone,
        quietHours: patch.quietHours,
      });
      if ((left === 'DAILY' || left === 'WEEKLY') && row.digest_frequency === 'IMMEDIATE') {
        const at = new Date();
        // Every notification whose delivery read the old frequency committed before this switch, so
        // has an id below this snapshot's xmax: the flush waits for all of them (an older open
        // transaction holds the horizon below some), or they would be in no digest and no email.
        const until = await this.deps.preferences.in(tx).snapshotXmax();
        await this.deps.flushDigest(tx, { userId, frequency: left, at, until });
      }
      return preferencesView(row);
    });
  }

  /** Email off for a user who followed an unsubscribe link; null when the user no longer exists. */
  async unsubscribeEmail(userId: string): Promise<PreferencesView | null> {
    try {
      return await this.updatePreferences(userId, { emailEnabled: false });
    } catch (err) {
      if ((err as { code?: string }).code === '23503') return null; // the user was deleted
      throw err;
    }
  }

  /**
   * The producer API for the rest of the codebase:
   * `notify({ userIds | role | all, type, title, message, actionUrl?, priority?, metadata?, critical? }, tx?)`.
   */
  notify(input: NotifyInput, tx?: Tx): Promise<NotifyResult> {
    const recipients: Recipients = 'userIds' in input ? { userIds: input.userIds } : 'role' in input ? { role: input.role } : { all: true };
    return this.create(recipients, {
      type: input.type, title: input.title, message: input.message, actionUrl: input.actionUrl ?? null,
      priority: input.priority ?? 'MEDIUM', metadata: input.metadata ?? null, critical: input.critical ?? false,
      ...(input.expiresAt ? { expiresAt: instantOf(input.expiresAt) } : {}),
    }, { idempotencyKey: input.idempotencyKey, createdBy: input.createdBy, tx });
  }

  /**
   * Creates notifications for users, a role or everyone, with their delivery work, in one
   * transaction. A list of users is written at once; a role or everyone is fanned out in the
   * background. With an idempotency key, a repeated request creates nothing more.
   */
  async create(recipients: Recipients, content: NotificationContent, options: NotifyOptions = {}): Promise<NotifyResult> {
    const idempotencyKey = options.idempotencyKey ?? null;
    this.checkContent(content);
    const hash = requestHash({ recipients, content });
    const inTx = <T>(fn: (tx: Tx) => Promise<T>) => (options.tx ? fn(options.tx) : this.deps.db.transaction().execute(fn));
    return inTx(async (tx) => {
      const batches = this.deps.batches.in(tx);
      const target = 'userIds' in recipients ? 'users' : 'role' in recipients ? 'role' : 'all';
      const batch = await batches.insert({
        idempotencyKey, requestHash: hash, targetKind: target,
        targetRole: 'role' in recipients ? recipients.role : null, content, createdBy: options.createdBy ?? null,
      });
      if (!batch) return this.replay(tx, idempotencyKey!, hash);
      // Open streams hear the expiry at its instant (the rows are hidden then by the read predicate).
      if (content.expiresAt) {
        await enqueueInTx(tx, 'notification-inbox', 'NotificationsExpired', { batchId: batch.id, at: content.expiresAt }, { runAt: new Date(content.expiresAt) });
      }
      if ('userIds' in recipients) {
        const unique = [...new Set(recipients.userIds)].filter(isId);
        const rows = await this.deps.notifications.in(tx).insertForUsers(unique, content, batch.id);
        const reached = rows.map((r) => r.id);
        await this.enqueueDelivery(tx, reached, content.priority);
        await this.emitCreated(tx, reached, rows.map((r) => r.user_id), batch.id, content);
        const skipped = recipients.userIds.length - reached.length;
        await batches.recordProgress(batch.id, { cursor: null, created: reached.length, skipped, done: true });
        return { created: reached.length, skipped, batchId: batch.id, status: 'completed' as const, replayed: false };
      }
      await enqueueInTx(tx, 'notification-fanout', 'NotificationBatchFanOut', { batchId: batch.id });
      return { created: 0, skipped: 0, batchId: batch.id, status: 'pending' as const, replayed: false };
    });
  }

  /**
   * Delivery work for new notifications, in the same transaction, in chunks of one job each.
   * URGENT and HIGH notifications overtake a large fan-out's backlog of MEDIUM ones.
   */
  private enqueueDelivery(tx: Executor, notificationIds: string[], priority: NotificationPriority): Promise<void> {
    return enqueueManyInTx(tx, 'notification-delivery', 'NotificationsDeliver',
      chunk(notificationIds, this.deps.deliveryBatch).map((ids) => ({ notificationIds: ids })), { priority: DELIVERY_PRIORITY[priority] });
  }

  /** notification.created for each new row, in one statement for the whole list (a fan-out page); nothing when no endpoint subscribes. */
  private async emitCreated(tx: Tx, ids: readonly string[], userIds: readonly string[], batchId: string, content: NotificationContent, wanted = false): Promise<void> {
    if (ids.length === 0 || !(wanted || this.deps.webhooks.wants('notification.created'))) return;
    await this.deps.webhooks.emit(tx, ids.map((id, i) => ({
      type: 'notification.created' as const, orderingKey: id,
      data: { notificationId: id, userId: userIds[i], batchId, type: content.type, title: content.title, priority: content.priority },
    })));
  }

  /** What create refuses before writing anything (a 400): a broadcast's preview refuses the same. */
  checkContent(content: NotificationContent): void {
    if (content.expiresAt !== undefined) this.checkExpiry(content.expiresAt);
  }

  private checkExpiry(expiresAt: string): void {
    const at = new Date(expiresAt).getTime();
    if (!Number.isFinite(at)) throw invalidField('expiresAt', 'must be an ISO 8601 instant');
    if (at <= this.deps.now()) throw invalidField('expiresAt', 'must be in the future');
    if (at - this.deps.now() > MAX_EXPIRY_MS) throw invalidField('expiresAt', 'must be at most a year ahead');
  }

  private async replay(tx: Executor, key: string, hash: string): Promise<NotifyResult> {
    const existing = await this.deps.batches.in(tx).findByKey(key);
    if (!existing) throw new ConflictError('Idempotency key is in use by a request still being processed');
    if (existing.request_hash !== hash) throw new ConflictError('Idempotency key already used with a different request');
    return { created: 0, skipped: 0, batchId: existing.id, status: existing.status, replayed: true };
  }

  async getBatch(id: string): Promise<BatchView> {
    const batch = isId(id) ? await this.deps.batches.find(id) : undefined;
    if (!batch) throw new NotFoundError('Batch not found');
    return batchView(batch);
  }

  /**
   * Runs a role/everyone fan-out page by page. Each page commits with the batch's cursor, so a
   * crashed or repeated run resumes where the last committed page ended and creates no duplicates.
   */
  async fanOutBatch(batchId: string, onProgress: (created: number) => Promise<void> = async () => undefined): Promise<number> {
    for (;;) {
      const step = await this.deps.db.transaction().execute(async (tx) => {
        const batches = this.deps.batches.in(tx);
        const batch = await batches.findForUpdate(batchId);
        // A recalled batch (issue 19) creates nothing more: the recall locked this row before it counted.
        if (!batch || batch.status === 'completed' || batch.status === 'recalled') return { done: true, total: batch?.created_count ?? 0 };
        const content = batch.payload as NotificationContent;
        const withUsers = this.deps.webhooks.wants('notification.created');
        const page = await this.deps.notifications.in(tx).insertPage(
          { role: batch.target_role, after: batch.cursor, createdBefore: batch.created_at, limit: this.deps.fanoutBatch, withUsers }, content, batch.id,
        );
        await this.enqueueDelivery(tx, page.ids, content.priority);
        // The cache may have said "no" before the insert and "maybe" now (its TTL ran out meanwhile:
        // the first subscriber may have just appeared): the events still name their recipients.
        if (withUsers) await this.emitCreated(tx, page.ids, page.users, batch.id, content, true);
        else if (page.ids.length > 0 && this.deps.webhooks.wants('notification.created')) {
          await this.emitCreated(tx, page.ids, await this.deps.notifications.in(tx).recipientsOf(page.ids), batch.id, content, true);
        }
        const done = page.ids.length < this.deps.fanoutBatch;
        await batches.recordProgress(batch.id, { cursor: page.last ?? batch.cursor, created: page.ids.length, done });
        return { done, total: batch.created_count + page.ids.length };
      });
      await onProgress(step.total);
      if (step.done) return step.total;
    }
  }
}

function preferencesView(row: {
  user_id: string; enabled_types: NotificationType[]; digest_frequency: PreferencesView['digestFrequency']; email_enabled: boolean; last_digest_sent_at: Date | null;
  timezone: string | null; quiet_start: string | null; quiet_end: string | null;
}): PreferencesView {
  return {
    userId: row.user_id,
    enabledTypes: row.enabled_types,
    digestFrequency: row.digest_frequency,
    emailEnabled: row.email_enabled,
    inAppEnabled: true,
    ...(row.last_digest_sent_at ? { lastDigestSentAt: toIso(row.last_digest_sent_at)! } : {}),
    timezone: row.timezone ?? 'UTC',
    // PostgreSQL's time prints HH:MM:SS; the API speaks HH:MM.
    quietHours: row.quiet_start && row.quiet_end ? { start: row.quiet_start.slice(0, 5), end: row.quiet_end.slice(0, 5) } : null,
  };
}
