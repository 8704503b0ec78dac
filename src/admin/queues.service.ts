import { ErrorCode, type Job, type JobType } from 'bullmq';
import { InvalidError, NotFoundError } from '../platform/errors.js';
import { listWorkers } from '../platform/queue/heartbeat.js';
import { markManyOutboxFailed, outboxIdOf, reopenOutboxFailed } from '../platform/queue/outbox.js';
import { failManyJobRows } from '../platform/queue/outbox-fixed.js';
import type { Platform } from '../platform/module.js';
import { isQueueName, QUEUE_NAMES, QUEUES, type QueueName } from '../platform/queue/registry.js';
import { SCHEDULES } from '../platform/queue/schedules.js';
import { pausedSchedules } from '../platform/queue/schedule-state.js';
import type { AuditRepository } from './audit.repository.js';
import { recentCount } from './health.rules.js';

export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const CLEANABLE = ['completed', 'failed', 'delayed', 'waiting', 'prioritized'] as const;

/** Minute-by-minute counts of the last hour, oldest first, from BullMQ's metrics. */
export function lastHour(metrics: { data: Array<number | string>; meta: { count: number | string; prevCount: number | string; prevTS: number | string } }, now: number): number[] {
  const prevTS = Number(metrics.meta.prevTS);
  const series = new Array<number>(60).fill(0);
  if (!prevTS) {
    series[59] = Number(metrics.meta.count) - Number(metrics.meta.prevCount);
    return series;
  }
  const age = Math.floor((now - prevTS) / 60_000);
  const points = [Number(metrics.meta.count) - Number(metrics.meta.prevCount), ...metrics.data.map(Number)];
  points.forEach((n, i) => {
    const slot = 59 - age - i;
    if (slot >= 0 && slot < 60) series[slot] = n;
  });
  return series;
}

/**
 * BullMQ's refusals of a job's removal, as the 400s they are: a schedule's next run (the scheduler
 * owns it; code -8) and a job a worker took since the check (locked). Thrown as they came, they
 * answered 500 'Internal server error' to a request that had simply been refused.
 */
function removalRefused(err: unknown): unknown {
  if ((err as { code?: unknown } | null)?.code === ErrorCode.JobBelongsToJobScheduler) return new InvalidError('Cannot remove a schedule\'s next run: pause the schedule instead');
  if (/locked by another worker/.test((err as Error | null)?.message ?? '')) return new InvalidError('Cannot remove an active job');
  return err;
}

/**
 * BullMQ's refusal of a retry: the job is no longer failed (another admin retried it since the
 * check; code -3) or gone (-1). The route's 400, as when the check itself finds it not failed.
 */
function retryRefused(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return code === ErrorCode.JobNotInState || code === ErrorCode.JobNotExist ? new InvalidError('Cannot retry job') : err;
}

const summary = (job: Job, state?: string) => ({
  id: job.id, name: job.name, state: state ?? null, attemptsMade: job.attemptsMade, progress: job.progress,
  timestamp: job.timestamp, processedOn: job.processedOn ?? null, finishedOn: job.finishedOn ?? null, failedReason: job.failedReason || null,
});

export interface QueuesServiceDeps extends Pick<Platform, 'db' | 'queues' | 'redis'> {
  /** Every state change is recorded there. */
  readonly audit: AuditRepository;
  /** BullMQ's key prefix (the worker heartbeats live under it). */
  readonly prefix: string;
  /** Jobs handled per step of a bulk operation: what the API process holds at once, whatever the queue's size (1,000). */
  readonly pageSize?: number;
}

/** Bull Board / Sidekiq-style operations on every queue, each state change audited. */
export class QueuesService {
  private readonly pageSize: number;

  constructor(private readonly deps: QueuesServiceDeps) {
    this.pageSize = deps.pageSize ?? 1_000;
  }

  private queue(name: string) {
    if (!isQueueName(name)) throw new NotFoundError('Queue not found');
    return this.deps.queues.get(name);
  }

  private async job(queueName: string, jobId: string): Promise<Job> {
    if (!isQueueName(queueName) || jobId.length > 300 || this.deps.queues.namesQueueKey(queueName, jobId)) throw new NotFoundError('Job not found');
    const job = await this.deps.queues.get(queueName).getJob(jobId);
    if (!job) throw new NotFoundError('Job not found');
    return job;
  }

  /** Counts come from BullMQ's per-state counters (no job list is scanned). */
  async overview(now = Date.now()) {
    const workers = await listWorkers(this.deps.redis, this.deps.prefix);
    return Promise.all(QUEUE_NAMES.map(async (name) => {
      const q = this.deps.queues.get(name);
      const [counts, paused, completed, failed] = await Promise.all([
        q.getJobCounts(...JOB_STATES), q.isPaused(), q.getMetrics('completed', 0, 60), q.getMetrics('failed', 0, 60),
      ]);
      return {
        name, group: QUEUES[name].group, description: QUEUES[name].description, paused, counts,
        workers: workers.filter((w) => w.queues.includes(name)).length,
        perMinute: { completed: lastHour(completed, now), failed: lastHour(failed, now) },
        lastHour: { completed: recentCount(completed, 60, now), failed: recentCount(failed, 60, now) },
      };
    }));
  }

  async listJobs(queueName: string, state: JobState, page: number, pageSize: number) {
    const q = this.queue(queueName);
    const start = (page - 1) * pageSize;
    const [jobs, total] = await Promise.all([q.getJobs([state as JobType], start, start + pageSize - 1), q.getJobCountByTypes(state as JobType)]);
    return { items: jobs.filter(Boolean).map((j) => summary(j, state)), total };
  }

  async getJob(queueName: string, jobId: string) {
    const job = await this.job(queueName, jobId);
    const [state, logs] = await Promise.all([job.getState(), this.deps.queues.get(queueName as QueueName).getJobLogs(jobId, 0, 99)]);
    return {
      ...summary(job, state), data: job.data, opts: job.opts, returnValue: job.returnvalue ?? null,
      stacktrace: job.stacktrace ?? [], logs: logs.logs, delay: job.delay,
    };
  }

  async retry(adminId: string, queueName: string, jobId: string) {
    const job = await this.job(queueName, jobId);
    if (!(await job.isFailed())) throw new InvalidError('Cannot retry job');
    await this.deps.audit.reachable();
    await job.retry('failed').catch((err: unknown) => {
      throw retryRefused(err);
    });
    const outboxId = outboxIdOf(job.id);
    if (outboxId) await reopenOutboxFailed(this.deps.db, [outboxId]);
    await this.deps.audit.record({ adminId, action: 'job.retry', queue: queueName, jobId });
    return { jobId, status: 'retried' as const };
  }

  async remove(adminId: string, queueName: string, jobId: string) {
    const job = await this.job(queueName, jobId);
    if (await job.isActive()) throw new InvalidError('Cannot remove an active job');
    await this.deps.audit.reachable();
    await job.remove().catch((err: unknown) => {
      throw removalRefused(err);
    });
    // Its work is given up, as if out of attempts: else the relay's checks for lost work (a relayed
    // job gone from Redis) add it back within minutes, as they did before bulk remove settled them.
    const outboxId = outboxIdOf(job.id);
    if (outboxId) await markManyOutboxFailed(this.deps.db, [outboxId]);
    else if (job.id && !job.repeatJobKey) await failManyJobRows(this.deps.db, queueName as QueueName, [job.id]);
    await this.deps.audit.record({ adminId, action: 'job.remove', queue: queueName, jobId });
  }

  /**
   * Every job failed so far goes back to waiting. Ids are read a page at a time (oldest first, the
   * order BullMQ moves them in) to reopen their outbox rows, then BullMQ moves them in pages too.
   */
  async retryAllFailed(adminId: string, queueName: string) {
    const q = this.queue(queueName);
    const until = Date.now();
    const total = await q.getJobCountByTypes('failed');
    let count = 0;
    for (let start = 0; start < total; start += this.pageSize) {
      const ids = await q.getRanges(['failed'], start, Math.min(start + this.pageSize, total) - 1, true);
      if (ids.length === 0) break;
      count += ids.length;
      await reopenOutboxFailed(this.deps.db, ids.map(outboxIdOf).filter((id): id is string => id !== null));
    }
    await q.retryJobs({ state: 'failed', count: this.pageSize, timestamp: until });
    await this.deps.audit.record({ adminId, action: 'queue.retryFailed', queue: queueName, details: { count } });
    return { count };
  }

  async promoteDelayed(adminId: string, queueName: string) {
    const q = this.queue(queueName);
    await this.deps.audit.reachable();
    let count = 0;
    // Promoted jobs leave the delayed set, so the next page starts after the ones left in place:
    // scheduler iterations (promoting them would run a schedule early). A job that left the set
    // meanwhile fails its promote harmlessly; the rounds are bounded by the count at the start.
    let kept = 0;
    const rounds = Math.ceil((await q.getJobCountByTypes('delayed')) / this.pageSize) + 1;
    for (let round = 0; round < rounds; round++) {
      const ids = await q.getRanges(['delayed'], kept, kept + this.pageSize - 1, true);
      if (ids.length === 0) break;
      for (const id of ids) {
        if (id.startsWith('repeat:')) {
          kept++;
          continue;
        }
        const job = await q.getJob(id);
        if (job && await job.promote().then(() => true, () => false)) count++;
      }
    }
    await this.deps.audit.record({ adminId, action: 'queue.promote', queue: queueName, details: { count } });
    return { count };
  }

  async setPaused(adminId: string, queueName: string, paused: boolean) {
    const q = this.queue(queueName);
    await this.deps.audit.reachable();
    if (paused) await q.pause();
    else await q.resume();
    await this.deps.audit.record({ adminId, action: paused ? 'queue.pause' : 'queue.resume', queue: queueName });
    return { paused };
  }

  async clean(adminId: string, queueName: string, state: (typeof CLEANABLE)[number], olderThanMs: number) {
    const q = this.queue(queueName);
    await this.deps.audit.reachable();
    // A page of ids per call; the rounds are bounded by what was there at the start, so a queue
    // that keeps filling cannot hold the request forever (the next clean takes the newcomers).
    const rounds = Math.ceil((await q.getJobCountByTypes(state)) / this.pageSize) + 1;
    let removed = 0;
    for (let round = 0; round < rounds; round++) {
      const ids = await q.clean(olderThanMs, this.pageSize, state);
      removed += ids.length;
      if (ids.length < this.pageSize) break;
    }
    await this.deps.audit.record({ adminId, action: 'queue.clean', queue: queueName, details: { state, olderThanMs, removed } });
    return { removed };
  }

  /** Every schedule with its next run; a paused one (the job console's pause) is never overdue. */
  async schedulers(now = Date.now(), graceMs = 0) {
    // The primary, not readDb: the answer right after a pause must show it.
    const paused = await pausedSchedules(this.deps.db);
    return Promise.all(SCHEDULES.map(async (s) => {
      const scheduler = await this.deps.queues.get(s.queue).getJobScheduler(s.id);
      const next = scheduler?.next ?? null;
      const pause = paused.get(s.id);
      return {
        id: s.id, queue: s.queue, job: s.job, pattern: s.pattern, tz: s.tz, description: s.description, registered: scheduler !== undefined && scheduler !== null,
        nextRun: next ? new Date(next).toISOString() : null, iterations: scheduler?.iterationCount ?? 0,
        overdue: !pause && (next === null || next < now - graceMs),
        paused: pause !== undefined, pausedAt: pause ? pause.pausedAt.toISOString() : null, pausedBy: pause?.pausedBy ?? null,
      };
    }));
  }

  async auditLog(page: number, pageSize: number) {
    return Promise.all([this.deps.audit.list(pageSize, (page - 1) * pageSize), this.deps.audit.count()]);
  }
}
