import type { AuditRepository } from '../admin/index.js';
import type { Db } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { BatchesRepository } from './batches.repository.js';
import { batchView, type BatchView } from './batches.view.js';
import type { BroadcastsRepository } from './broadcasts.repository.js';
import { forecast, settle, type EmailForecast, type RecallCounts, type RecallRecord } from './broadcasts.rules.js';
import type { NotificationContent } from './notifications.schemas.js';
import type { NotificationsService, Recipients } from './notifications.service.js';

/** What a broadcast would do, without doing it. */
export interface BroadcastPreview {
  /** Users who would get the notification (in-app, whatever their email preferences). */
  audience: number;
  /** Ids of the list that name no user (or repeat one): the real broadcast counts them as skipped. */
  skipped: number;
  email: EmailForecast;
  /** The idempotencyKey was used already: sending this request would create nothing. */
  idempotencyKeyUsed: boolean;
}

export interface BroadcastsServiceDeps {
  /** For the recall's transactions. */
  readonly db: Db;
  readonly broadcasts: BroadcastsRepository;
  readonly batches: BatchesRepository;
  /** The real broadcast's validation (the same 400s) and its batch view. */
  readonly notifications: Pick<NotificationsService, 'checkContent' | 'getBatch'>;
  readonly audit: AuditRepository;
  /** The application's clock: whether it is inside a user's quiet hours. */
  readonly now: () => number;
  /** EMAIL_LEASE_MS: the longest a recall waits for emails claimed before it to finish. */
  readonly leaseMs: number;
  /** How often the recall looks at those emails meanwhile. */
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Safe broadcasts (issue 19): a preview that creates nothing, and a recall that hides a batch's
 * notifications everywhere, stops its fan-out and cancels its emails not yet claimed, waiting for
 * those already in hand-off so that no email goes out after it answers (OPERATIONS.md, "Broadcast
 * preview and recall", states the guarantee and its bounds).
 */
export class BroadcastsService {
  constructor(private readonly deps: BroadcastsServiceDeps) {}

  /**
   * The audience and the email forecast of a broadcast, from one aggregate statement (users grouped
   * by what the delivery rules read of them) and the rules applied once per group.
   */
  async preview(recipients: Recipients, content: NotificationContent, idempotencyKey: string | null): Promise<BroadcastPreview> {
    this.deps.notifications.checkContent(content);
    const ids = 'userIds' in recipients ? [...new Set(recipients.userIds)].filter(isId) : null;
    // The content as PostgreSQL would store it: what the INSERT refuses, the preview refuses alike.
    await this.deps.broadcasts.checkStorable(content);
    const [groups, keyUsed] = await Promise.all([
      this.deps.broadcasts.audience(ids ? { userIds: ids } : { role: 'role' in recipients ? recipients.role : null }, content.type),
      idempotencyKey ? this.deps.batches.findByKey(idempotencyKey).then((b) => b !== undefined) : Promise.resolve(false),
    ]);
    const audience = groups.reduce((n, g) => n + g.users, 0);
    return {
      audience, skipped: 'userIds' in recipients ? recipients.userIds.length - audience : 0,
      email: forecast(groups, content, this.deps.now()), idempotencyKeyUsed: keyUsed,
    };
  }

  async listBatches(page: number, pageSize: number): Promise<{ items: BatchView[]; total: number }> {
    const { rows, total } = await this.deps.batches.list(pageSize, (page - 1) * pageSize);
    return { items: rows.map(batchView), total };
  }

  /**
   * Recalls a batch; idempotent (a recalled batch answers its recall). In one transaction, under
   * the batch's row lock (a fan-out page in progress commits first, the next one sees the recall):
   * its visible rows expire now (FOR UPDATE in id order, after every email claim that
   * share-locked one), its emails nobody holds are cancelled, the claims in hand-off are noted,
   * the rest is counted, streams are told (NotificationsExpired) and the admin's action audited.
   * Then it waits, at most EMAIL_LEASE_MS, for the noted claims to finish and counts them.
   */
  async recall(id: string, adminId: string): Promise<BatchView> {
    if (!isId(id)) throw new NotFoundError('Batch not found');
    const first = await this.deps.db.transaction().execute(async (tx) => {
      const repo = this.deps.broadcasts.in(tx);
      const batches = this.deps.batches.in(tx);
      const batch = await batches.findForUpdate(id);
      if (!batch) throw new NotFoundError('Batch not found');
      if (batch.status === 'recalled') return { record: batch.recall as RecallRecord, at: batch.recalled_at! };
      // The recall's instant on the database's clock, to the millisecond (a JS Date holds it exactly).
      const at = await repo.clock();
      const hidden = await repo.hide(id, at);
      await repo.cancelUnclaimed(id);
      const content = batch.payload as NotificationContent;
      const [emails, digests, undecided, unreached] = await Promise.all([
        repo.emails(id), repo.liveDigests(id), repo.undecided(id, at, content.type),
        batch.target_kind !== 'users' && batch.status !== 'completed' ? repo.unreached(batch) : Promise.resolve(0),
      ]);
      const routes = forecast(undecided, content, this.deps.now());
      const waitingOn = [...emails.live, ...digests];
      const record: RecallRecord = {
        hidden, emailsSent: emails.sent, emailsFailed: emails.failed, emailsUnconfirmed: emails.abandoned,
        emailsCancelled: emails.cancelled + routes.now + routes.heldForQuietHours, digestItemsRemoved: routes.digest, unreached,
        settled: waitingOn.length === 0, waitingOn,
      };
      await batches.recordRecall(id, record, { adminId, at });
      // Open streams hear it as an expiry (the rows expired at `at`), page by page, after the commit.
      await enqueueInTx(tx, 'notification-inbox', 'NotificationsExpired', { batchId: id, at: at.toISOString() });
      await this.deps.audit.in(tx).record({ adminId, action: 'notifications.recall', details: { batchId: id, ...countsOf(record), waitingOn: waitingOn.length } });
      return { record, at };
    });
    if (!first.record.settled) await this.settle(id, first.record.waitingOn, first.at);
    return this.deps.notifications.getBatch(id);
  }

  /**
   * Waits until no email the recall noted is in hand-off any more (or EMAIL_LEASE_MS after the
   * recall), then counts each by how it ended and marks the recall settled. Any number of callers
   * may do this at once (two recalls of one batch): the first to lock the batch records the counts.
   */
  private async settle(id: string, keys: readonly string[], at: Date): Promise<void> {
    const poll = this.deps.pollMs ?? 50;
    const deadline = at.getTime() + this.deps.leaseMs;
    while (Date.now() < deadline && (await this.deps.broadcasts.waited(keys)).some((e) => e.live)) await sleep(poll);
    await this.deps.db.transaction().execute(async (tx) => {
      const repo = this.deps.broadcasts.in(tx);
      const batch = await this.deps.batches.in(tx).findForUpdate(id);
      const record = batch?.recall as RecallRecord | null;
      if (!batch || !record || record.settled) return;
      // Released meanwhile (a temporary failure): nobody may claim it any more.
      await repo.cancelUnclaimed(id);
      const settled = settle(record, await repo.waited(keys));
      await this.deps.batches.in(tx).recordRecall(id, settled);
      // A delivery job that read a row before the recall pushed it to open streams before claiming
      // its email; those claims are over now, so telling the streams again drops any such push.
      await enqueueInTx(tx, 'notification-inbox', 'NotificationsExpired', { batchId: id, at: at.toISOString() });
    });
  }
}

const countsOf = (r: RecallRecord): RecallCounts => ({
  hidden: r.hidden, emailsSent: r.emailsSent, emailsCancelled: r.emailsCancelled, emailsFailed: r.emailsFailed,
  emailsUnconfirmed: r.emailsUnconfirmed, digestItemsRemoved: r.digestItemsRemoved, unreached: r.unreached,
});
