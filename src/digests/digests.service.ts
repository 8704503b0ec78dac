import type { Db } from '../platform/db/client.js';
import type { EmailService } from '../platform/email/email.service.js';
import type { Logger } from '../platform/logger.js';
import type { Queues } from '../platform/queue/queues.js';
import type { JobPayload } from '../platform/queue/registry.js';
import { renderDigestEmail } from './digest.render.js';
import { periodKey, windowStart, type DigestKind } from './digest.time.js';
import { DigestsRepository } from './digests.repository.js';

type SendJob = JobPayload<'notification-digest', 'DigestSend'>;
export type DigestScope = 'utc' | 'zoned' | 'all';

/** BullMQ forbids more than two ':' in custom ids, hence '-' (the email key keeps the ':' form). */
export const digestJobId = (frequency: DigestKind, userId: string, key: string) => `digest-${frequency}-${userId}-${key}`;
export const digestEmailKey = (userId: string, key: string) => `digest:${userId}:${key}`;

const MAX_ITEMS = 100;

export interface DigestDeps {
  readonly db: Db;
  readonly queues: Queues;
  readonly email: EmailService;
  readonly log: Logger;
  readonly publicUrl: () => string;
  readonly unsubscribeUrl: (userId: string) => string;
  readonly pageSize: number;
}

/** JOBS.md §2: one digest per user and period, of what arrived since the previous one. */
export class DigestsService {
  private readonly repo: DigestsRepository;

  constructor(private readonly deps: DigestDeps) {
    this.repo = new DigestsRepository(deps.db);
  }

  /** Fan-out: pages through the run's users and enqueues one deterministic job per user and period. */
  async run(p: { frequency: DigestKind; scope: DigestScope; runAt: Date; trigger: 'schedule' | 'manual' }): Promise<{ runId: string; scanned: number }> {
    const { id: runId } = await this.repo.createRun(p);
    let scanned = 0;
    let after: string | null = null;
    try {
      for (;;) {
        const page = await this.repo.recipientsPage({ frequency: p.frequency, scope: p.scope, runAt: p.runAt, after, limit: this.deps.pageSize });
        if (page.length === 0) break;
        await this.deps.queues.get('notification-digest').addBulk(page.map((r) => {
          const key = periodKey(p.frequency, p.runAt, r.timezone ?? 'UTC');
          const data: SendJob = { runId, userId: r.user_id, frequency: p.frequency, runAt: p.runAt.toISOString(), periodKey: key };
          return { name: 'DigestSend', data, opts: { jobId: digestJobId(p.frequency, r.user_id, key) } };
        }));
        scanned += page.length;
        after = page.at(-1)!.user_id;
        if (page.length < this.deps.pageSize) break;
      }
      await this.repo.finishRun(runId, { scanned });
    } catch (err) {
      await this.repo.finishRun(runId, { scanned, error: (err as Error).message });
      throw err;
    }
    this.deps.log.info({ runId, frequency: p.frequency, scope: p.scope, scanned }, 'digest run enqueued');
    return { runId, scanned };
  }

  /** One user's digest; safe to run any number of times for the same period. */
  async send(job: SendJob): Promise<string> {
    const runAt = new Date(job.runAt);
    const outcome = await this.sendDigest(job.userId, job.frequency, runAt, job.periodKey, job.flush === true);
    if (job.runId) await this.repo.recordOutcome(job.runId, job.userId, outcome.outcome, outcome.items);
    return outcome.outcome;
  }

  private async sendDigest(userId: string, frequency: DigestKind, runAt: Date, key: string, flush: boolean) {
    const user = await this.repo.findUser(userId);
    // Preferences changed since the run started: the other frequency's run (or none) covers it.
    // A flush (the user just left DAILY/WEEKLY for IMMEDIATE) sends what was still pending.
    if (!user || !user.email_enabled || (!flush && user.digest_frequency !== frequency)) return { outcome: 'skipped' as const, items: 0 };
    const from = windowStart(frequency, runAt, user.last_digest_sent_at);
    const { items, total } = await this.repo.items(userId, user.enabled_types, from, runAt, MAX_ITEMS);
    if (total === 0) return { outcome: 'empty' as const, items: 0 };
    const unsubscribe = this.deps.unsubscribeUrl(userId);
    const rendered = renderDigestEmail(frequency, items.map((i) => ({
      type: i.type, title: i.title, message: i.message, actionUrl: i.action_url, priority: i.priority, createdAt: i.created_at,
    })), total, { publicUrl: this.deps.publicUrl(), recipientName: user.name, unsubscribeUrl: unsubscribe });
    const result = await this.deps.email.sendOnce({
      key: digestEmailKey(userId, key), kind: 'digest', notificationId: null, userId, to: user.email,
      subject: rendered.subject, html: rendered.html, text: rendered.text,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Herald-Digest': `${frequency} ${key}` },
    });
    if (result !== 'failed') await this.repo.recordSent(userId, runAt);
    return { outcome: result, items: total };
  }

  async lastRun(frequency: DigestKind) {
    return this.repo.lastRun(frequency);
  }

  async runReport(runId: string) {
    const [run, outcomes] = await Promise.all([this.repo.findRun(runId), this.repo.outcomes(runId)]);
    return run ? { ...run, outcomes } : null;
  }
}
