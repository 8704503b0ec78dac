import type { Db } from '../platform/db/client.js';
import { deferralForHeldClaims, StaleContentError, type EmailService, type EmailToSend, type SendOutcome } from '../platform/email/email.service.js';
import type { Logger } from '../platform/logger.js';
import { DeferUntilError } from '../platform/queue/deferral.js';
import { enqueueInTx, enqueueManyInTx } from '../platform/queue/outbox.js';
import type { JobPayload } from '../platform/queue/registry.js';
import { renderDigestEmail } from './digest.render.js';
import type { DigestOutcome } from '../platform/db/schema.js';
import { periodKey, type DigestKind } from './digest.time.js';
import type { DigestItem, DigestsRepository, DigestTarget } from './digests.repository.js';

type SendJob = JobPayload<'notification-digest', 'DigestSend'>;
export type DigestScope = 'utc' | 'zoned' | 'all';

export const digestEmailKey = (userId: string, key: string) => `digest:${userId}:${key}`;

const MAX_ITEMS = 100;
const DAY_MS = 86_400_000;
/** How often a frequency switch's flush looks again for the older transactions to finish. */
const FLUSH_WAIT_MS = 2_000;
/** How often a run's digest looks again for the transactions begun before its run (DIGEST_SETTLE_MS). */
const SETTLE_POLL_MS = 1_000;

export interface DigestsServiceDeps {
  /** For the transactions of the outbox writes and of a send's claim. */
  readonly db: Db;
  readonly digests: DigestsRepository;
  readonly email: EmailService;
  readonly log: Logger;
  readonly publicUrl: () => string;
  readonly unsubscribeUrl: (userId: string) => string;
  readonly pageSize: number;
  /** Users per DigestSend job. */
  readonly batchSize: number;
  /** DIGEST_SETTLE_MS: how long a run's digests wait for the transactions begun before the run. */
  readonly settleMs: number;
}

/** JOBS.md §2: one digest per user and period, of what arrived since the previous one. */
export class DigestsService {
  constructor(private readonly deps: DigestsServiceDeps) {}

  /**
   * Fan-out: pages through the run's users and writes their digests' jobs to the outbox, a page
   * per transaction (issue 16, point 9): once written, a job survives Redis losing its data and is
   * relayed again. Two runs for the same instant enqueue each user twice; the second finds the
   * period's content and its email (`digest:{user}:{period}`) and sends nothing.
   */
  async run(p: { frequency: DigestKind; scope: DigestScope; runAt: Date; trigger: 'schedule' | 'manual' }): Promise<{ runId: string; scanned: number }> {
    const { id: runId } = await this.deps.digests.createRun(p);
    // Every transaction begun before this point (a fan-out page, a slow request) is below `until`:
    // the run's digests wait for them to end, up to settleBy, so rows committed just before the
    // run are in this digest rather than the next one (a day or a week later).
    const settle = this.deps.settleMs > 0
      ? { until: await this.deps.digests.nextXid(), settleBy: new Date(Date.now() + this.deps.settleMs).toISOString() }
      : {};
    let scanned = 0;
    let after: string | null = null;
    try {
      for (;;) {
        const page = await this.deps.digests.recipientsPage({ frequency: p.frequency, scope: p.scope, runAt: p.runAt, after, limit: this.deps.pageSize });
        if (page.length === 0) break;
        const jobs: SendJob[] = [];
        for (let i = 0; i < page.length; i += this.deps.batchSize) {
          const users = page.slice(i, i + this.deps.batchSize).map((r) => ({ userId: r.user_id, periodKey: periodKey(p.frequency, p.runAt, r.timezone ?? 'UTC') }));
          jobs.push({ runId, frequency: p.frequency, runAt: p.runAt.toISOString(), users, ...settle });
        }
        await this.deps.db.transaction().execute((tx) => enqueueManyInTx(tx, 'notification-digest', 'DigestSend', jobs));
        scanned += page.length;
        after = page.at(-1)!.user_id;
        if (page.length < this.deps.pageSize) break;
      }
      await this.deps.digests.finishRun(runId, { scanned });
    } catch (err) {
      await this.deps.digests.finishRun(runId, { scanned, error: (err as Error).message });
      throw err;
    }
    this.deps.log.info({ runId, frequency: p.frequency, scope: p.scope, scanned }, 'digest run enqueued');
    return { runId, scanned };
  }

  /**
   * An admin's run "as if the clock read `at`", written to the outbox (it survives a Redis flush).
   * The job id is fixed per frequency and instant, so a double click starts one run.
   */
  async requestRun(frequency: DigestKind, at: Date): Promise<string> {
    const jobId = `digest-run-${frequency}-${at.toISOString().replace(/[:.]/g, '')}`;
    await this.deps.db.transaction().execute((tx) => enqueueInTx(tx, 'notification-digest', 'DigestRun',
      { frequency, scope: 'all', at: at.toISOString(), trigger: 'manual' }, { jobId }));
    return jobId;
  }

  /**
   * The digests of one job's users; safe to run any number of times. Issue 16 (points 7, 8): a
   * digest's content is fixed, in one transaction under the user's preference lock, as the range
   * [cursor, horizon) of inserting transaction ids, and the cursor moves to its end at once. A
   * retry, or a re-run of the same period (an admin's run at 10:00 after the 09:00 digest, a time
   * zone change the same day, a mid-week weekly run) finds that content (or its email) and moves
   * nothing, so what arrived after it waits for the next period. The horizon is below every
   * transaction still running, so a row that commits late is never passed: it falls in a later
   * range. Each notification is thus in exactly one range; emails go out after the commit, keyed.
   */
  async send(job: SendJob, jobId: string | null = null): Promise<Record<string, number>> {
    const runAt = new Date(job.runAt);
    const ids = job.users.map((u) => u.userId);
    const keys = new Map(job.users.map((u) => [u.userId, u.periodKey]));
    let waiting = false;
    const targets = await this.deps.db.transaction().execute(async (tx) => {
      const repo = this.deps.digests.in(tx);
      const locked = await repo.lockTargets(ids, job.frequency, job.flush === true);
      // A flush of a switch that says where it happened (`until`) ends at the horizon, like any digest,
      // once that is past the switch: every row below it is then in the flush, and the delivery path
      // emails only rows at or above the cursor. Ending at the next xid instead passed rows still in
      // flight, lost if the user went back to DAILY before their delivery.
      const horizon = await repo.rangeEnd(job.flush === true && job.until === undefined);
      // A flush fixes its content only once every transaction older than its switch has finished
      // (see DigestSend.until); until then it waits, unless an earlier attempt fixed it already.
      // A run's digest waits the same way for the transactions begun before its run, until settleBy.
      if (job.until !== undefined && BigInt(horizon) < BigInt(job.until) && (job.flush === true || Date.now() < Date.parse(job.settleBy ?? ''))) {
        waiting = true;
        return locked;
      }
      await repo.claimContents({
        users: locked.map((t) => ({ userId: t.user_id, periodKey: keys.get(t.user_id)! })),
        frequency: job.frequency, runAt, spanMs: job.frequency === 'DAILY' ? DAY_MS : 7 * DAY_MS, horizon, ownerJob: jobId,
      });
      return locked;
    });
    const wanted = targets.map((t) => ({ userId: t.user_id, periodKey: keys.get(t.user_id)! }));
    if (waiting && (await this.deps.digests.claimed(wanted, jobId)).size < wanted.length) {
      if (job.flush) throw new DeferUntilError(new Date(Date.now() + FLUSH_WAIT_MS), 'digest flush waits for transactions older than the frequency switch');
      const next = Math.min(Date.now() + SETTLE_POLL_MS, Date.parse(job.settleBy!));
      throw new DeferUntilError(new Date(next), 'digest waits for transactions begun before its run');
    }
    const { claimed, items } = await this.deps.digests.claimedWithItems(wanted, jobId, MAX_ITEMS);
    const byUser = new Map<string, DigestItem[]>();
    for (const item of items) byUser.set(item.user_id, [...(byUser.get(item.user_id) ?? []), item]);
    const outcomes = new Map<string, { outcome: DigestOutcome; items: number }>(ids.map((id) => [id, { outcome: 'skipped', items: 0 }]));
    const errors: string[] = [];
    const reasons: unknown[] = [];
    // A suppressed address (the suppression list) is done like a sent digest: its items stay in the
    // inbox and the cursor moves on, or every later digest would carry them again. digest_deliveries
    // has no 'suppressed' outcome (its CHECK predates it): it records 'skipped', email_log says why.
    const suppressed = new Set<string>();
    // The digests to send: content fixed by this job (or a finished one) and not empty. Their
    // claims go in one statement (EmailService.sendMany); one whose list went stale is read again
    // and sent alone (sendFresh).
    const due: Array<{ target: DigestTarget; list: DigestItem[] }> = [];
    for (const target of targets) {
      // No content recorded: the period's email existed before contents were (nothing to move).
      if (!claimed.has(target.user_id)) outcomes.set(target.user_id, { outcome: 'already-sent', items: 0 });
      // Another job fixed this content and is not finished (a second run of the same instant): it
      // sends the email, retried or re-run; claiming it here would make that job wait out a lease.
      else if (claimed.get(target.user_id)!.ownerBusy) outcomes.set(target.user_id, { outcome: 'skipped', items: 0 });
      else if (!byUser.has(target.user_id)) outcomes.set(target.user_id, { outcome: 'empty', items: 0 });
      else due.push({ target, list: byUser.get(target.user_id)! });
    }
    const results = await this.deps.email.sendMany(due.map(({ target, list }) => this.digestEmail(target, job.frequency, keys.get(target.user_id)!, list)));
    await Promise.all(due.map(async ({ target, list }, i) => {
      const result = results[i]!;
      try {
        if (result.status === 'rejected' && !(result.reason instanceof StaleContentError)) throw result.reason;
        const sent = result.status === 'fulfilled' ? { outcome: result.value, total: list[0]!.total } : await this.sendFresh(target, job.frequency, keys.get(target.user_id)!, 2);
        if (sent === 'empty') return void outcomes.set(target.user_id, { outcome: 'empty', items: 0 });
        const { outcome, total } = sent;
        if (outcome === 'suppressed') suppressed.add(target.user_id);
        // 'cancelled' is a notification email's outcome; a digest's claim answers 'stale' instead.
        outcomes.set(target.user_id, { outcome: outcome === 'suppressed' || outcome === 'cancelled' ? 'skipped' : outcome, items: total });
      } catch (err) {
        errors.push(`${target.user_id}: ${(err as Error).message}`);
        reasons.push(err);
        outcomes.delete(target.user_id);
      }
    }));
    const done = [...outcomes].filter(([id, o]) => claimed.has(id) && (o.outcome === 'sent' || o.outcome === 'captured' || o.outcome === 'already-sent' || suppressed.has(id)));
    await this.deps.digests.recordDone(job.runId ?? null, done.map(([userId]) => ({ userId, at: claimed.get(userId)!.runAt })), [...outcomes].map(([userId, o]) => ({ userId, ...o })));
    // The rest is recorded; a retry re-runs only what is not done (sent emails are keyed).
    const deferral = deferralForHeldClaims(reasons);
    if (deferral) throw deferral;
    if (errors.length) throw new Error(`${errors.length} of ${targets.length} digests not sent yet; retrying. First: ${errors[0]}`);
    const counts: Record<string, number> = {};
    for (const [id, o] of outcomes) counts[suppressed.has(id) ? 'suppressed' : o.outcome] = (counts[suppressed.has(id) ? 'suppressed' : o.outcome] ?? 0) + 1;
    return counts;
  }

  /**
   * A digest whose claim found a listed notification recalled or expired since its content was
   * read (issue 19: the claim locks the listed rows and finds one no longer live): its content is
   * read again and sent alone, up to the third try, so no digest claimed after a recall committed
   * shows the recalled notification.
   */
  private async sendFresh(target: DigestTarget, frequency: DigestKind, key: string, from: number): Promise<{ outcome: SendOutcome; total: number } | 'empty'> {
    for (let tries = from; ; tries++) {
      const list = await this.deps.digests.items([{ userId: target.user_id, periodKey: key }], MAX_ITEMS);
      if (list.length === 0) return 'empty';
      try {
        return { outcome: await this.deps.email.sendOnce(this.digestEmail(target, frequency, key, list)), total: list[0]!.total };
      } catch (err) {
        if (!(err instanceof StaleContentError) || tries >= 3) throw err;
      }
    }
  }

  private digestEmail(target: DigestTarget, frequency: DigestKind, key: string, list: DigestItem[]): EmailToSend {
    const unsubscribe = this.deps.unsubscribeUrl(target.user_id);
    const rendered = renderDigestEmail(frequency, list.map((i) => ({
      type: i.type, title: i.title, message: i.message, actionUrl: i.action_url, priority: i.priority, createdAt: i.created_at,
    })), list[0]!.total, { publicUrl: this.deps.publicUrl(), recipientName: target.name, unsubscribeUrl: unsubscribe });
    return {
      key: digestEmailKey(target.user_id, key), kind: 'digest', notificationId: null, userId: target.user_id, to: target.email,
      liveNotifications: list.map((i) => i.id),
      subject: rendered.subject, html: rendered.html, text: rendered.text,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Herald-Digest': `${frequency} ${key}` },
    };
  }

  async lastRun(frequency: DigestKind) {
    return this.deps.digests.lastRun(frequency);
  }

  async runReport(runId: string) {
    const [run, outcomes] = await Promise.all([this.deps.digests.findRun(runId), this.deps.digests.outcomes(runId)]);
    return run ? { ...run, outcomes } : null;
  }
}
