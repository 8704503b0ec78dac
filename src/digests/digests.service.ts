import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/client.js';
import { deferralForHeldClaims, type EmailService } from '../platform/email/email.service.js';
import type { Logger } from '../platform/logger.js';
import type { Queues } from '../platform/queue/queues.js';
import type { JobPayload } from '../platform/queue/registry.js';
import { renderDigestEmail } from './digest.render.js';
import type { DigestOutcome } from '../platform/db/schema.js';
import { periodKey, type DigestKind } from './digest.time.js';
import { DigestsRepository, type DigestItem, type DigestTarget } from './digests.repository.js';

type SendJob = JobPayload<'notification-digest', 'DigestSend'>;
export type DigestScope = 'utc' | 'zoned' | 'all';

/**
 * The same users at the same instant make the same job (two runs fired at once enqueue it once);
 * any other set of users makes another. BullMQ allows at most two ':' in an id, hence '-'.
 */
export const digestJobId = (frequency: DigestKind, runAt: Date, userIds: readonly string[]) =>
  `digest-${frequency}-${runAt.toISOString().replace(/[:.]/g, '')}-${createHash('sha1').update(userIds.join(',')).digest('hex')}`;
export const digestEmailKey = (userId: string, key: string) => `digest:${userId}:${key}`;

const MAX_ITEMS = 100;
const DAY_MS = 86_400_000;

export interface DigestDeps {
  readonly db: Db;
  readonly queues: Queues;
  readonly email: EmailService;
  readonly log: Logger;
  readonly publicUrl: () => string;
  readonly unsubscribeUrl: (userId: string) => string;
  readonly pageSize: number;
  /** Users per DigestSend job. */
  readonly batchSize: number;
}

/** JOBS.md §2: one digest per user and period, of what arrived since the previous one. */
export class DigestsService {
  private readonly repo: DigestsRepository;

  constructor(private readonly deps: DigestDeps) {
    this.repo = new DigestsRepository(deps.db);
  }

  /**
   * Fan-out: pages through the run's users and enqueues their digests, a page per job. Job ids are
   * deterministic, so two runs for the same instant enqueue each page once; the email key
   * `digest:{user}:{period}` makes each user's email once whatever the jobs.
   */
  async run(p: { frequency: DigestKind; scope: DigestScope; runAt: Date; trigger: 'schedule' | 'manual' }): Promise<{ runId: string; scanned: number }> {
    const { id: runId } = await this.repo.createRun(p);
    let scanned = 0;
    let after: string | null = null;
    try {
      const jobs = [];
      for (;;) {
        const page = await this.repo.recipientsPage({ frequency: p.frequency, scope: p.scope, runAt: p.runAt, after, limit: this.deps.pageSize });
        if (page.length === 0) break;
        for (let i = 0; i < page.length; i += this.deps.batchSize) {
          const users = page.slice(i, i + this.deps.batchSize).map((r) => ({ userId: r.user_id, periodKey: periodKey(p.frequency, p.runAt, r.timezone ?? 'UTC') }));
          const data: SendJob = { runId, frequency: p.frequency, runAt: p.runAt.toISOString(), users };
          jobs.push({ name: 'DigestSend' as const, data, opts: { jobId: digestJobId(p.frequency, p.runAt, users.map((u) => u.userId)) } });
        }
        if (jobs.length >= 100) await this.deps.queues.get('notification-digest').addBulk(jobs.splice(0));
        scanned += page.length;
        after = page.at(-1)!.user_id;
        if (page.length < this.deps.pageSize) break;
      }
      if (jobs.length) await this.deps.queues.get('notification-digest').addBulk(jobs);
      await this.repo.finishRun(runId, { scanned });
    } catch (err) {
      await this.repo.finishRun(runId, { scanned, error: (err as Error).message });
      throw err;
    }
    this.deps.log.info({ runId, frequency: p.frequency, scope: p.scope, scanned }, 'digest run enqueued');
    return { runId, scanned };
  }

  /**
   * The digests of one job's users; safe to run any number of times for the same period. Emails
   * go out in parallel (bounded by the email service); the windows close and the outcomes are
   * recorded in two statements for the whole batch.
   */
  async send(job: SendJob): Promise<Record<string, number>> {
    const runAt = new Date(job.runAt);
    const ids = job.users.map((u) => u.userId);
    const keys = new Map(job.users.map((u) => [u.userId, u.periodKey]));
    const targets = await this.repo.targets(ids, job.frequency, job.flush === true);
    const items = await this.repo.items(targets.map((t) => t.user_id), runAt, job.frequency === 'DAILY' ? DAY_MS : 7 * DAY_MS, MAX_ITEMS);
    const byUser = new Map<string, DigestItem[]>();
    for (const item of items) byUser.set(item.user_id, [...(byUser.get(item.user_id) ?? []), item]);
    const outcomes = new Map<string, { outcome: DigestOutcome; items: number }>(ids.map((id) => [id, { outcome: 'skipped', items: 0 }]));
    const errors: string[] = [];
    const reasons: unknown[] = [];
    await Promise.all(targets.map(async (target) => {
      const list = byUser.get(target.user_id) ?? [];
      if (list.length === 0) return void outcomes.set(target.user_id, { outcome: 'empty', items: 0 });
      try {
        const outcome = await this.sendOne(target, job.frequency, keys.get(target.user_id)!, list);
        outcomes.set(target.user_id, { outcome, items: list[0]!.total });
      } catch (err) {
        errors.push(`${target.user_id}: ${(err as Error).message}`);
        reasons.push(err);
        outcomes.delete(target.user_id);
      }
    }));
    const done = [...outcomes].filter(([, o]) => o.outcome === 'sent' || o.outcome === 'captured' || o.outcome === 'already-sent').map(([id]) => id);
    await this.repo.recordSent(done, runAt);
    if (job.runId) await this.repo.recordOutcomes(job.runId, [...outcomes].map(([userId, o]) => ({ userId, ...o })));
    // The rest is recorded; a retry re-runs only what is not done (sent emails are keyed).
    const deferral = deferralForHeldClaims(reasons);
    if (deferral) throw deferral;
    if (errors.length) throw new Error(`${errors.length} of ${targets.length} digests not sent yet; retrying. First: ${errors[0]}`);
    const counts: Record<string, number> = {};
    for (const o of outcomes.values()) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
    return counts;
  }

  private async sendOne(target: DigestTarget, frequency: DigestKind, key: string, list: DigestItem[]): Promise<DigestOutcome> {
    const unsubscribe = this.deps.unsubscribeUrl(target.user_id);
    const rendered = renderDigestEmail(frequency, list.map((i) => ({
      type: i.type, title: i.title, message: i.message, actionUrl: i.action_url, priority: i.priority, createdAt: i.created_at,
    })), list[0]!.total, { publicUrl: this.deps.publicUrl(), recipientName: target.name, unsubscribeUrl: unsubscribe });
    return this.deps.email.sendOnce({
      key: digestEmailKey(target.user_id, key), kind: 'digest', notificationId: null, userId: target.user_id, to: target.email,
      subject: rendered.subject, html: rendered.html, text: rendered.text,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Herald-Digest': `${frequency} ${key}` },
    });
  }

  async lastRun(frequency: DigestKind) {
    return this.repo.lastRun(frequency);
  }

  async runReport(runId: string) {
    const [run, outcomes] = await Promise.all([this.repo.findRun(runId), this.repo.outcomes(runId)]);
    return run ? { ...run, outcomes } : null;
  }
}
