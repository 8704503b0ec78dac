import { DelayedError, MetricsTime, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { bullQueueName } from '../redis/keys.js';
import { DEFER_MARGIN_MS, DeferUntilError } from './deferral.js';
import { Heartbeat } from './heartbeat.js';
import type { JobHistoryWriter } from './job-history.js';
import { markManyOutboxCompleted, markOutboxCompleted, markOutboxFailed, outboxIdOf, unfinishedOfKey } from './outbox.js';
import { completeJobRows, failJobRows } from './outbox-fixed.js';
import { JOB_SCHEMAS, QUEUES, type JobHandler, type JobHandlers, type QueueName } from './registry.js';
import { skipPausedRun } from './schedule-state.js';
import type { TransportView } from '../email/failover.transport.js';

interface WorkerPoolOptions {
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly db: Db;
  readonly log: Logger;
  readonly handlers: JobHandlers;
  readonly queues: readonly QueueName[];
  readonly defaultConcurrency: number;
  readonly shutdownTimeoutMs: number;
  /** How long a job's lock lasts without renewal; a crashed worker's jobs are recovered after it. */
  readonly lockMs: number;
  readonly heartbeatMs: number;
  /** Published with each heartbeat: the admin health's email group shows every worker's breakers. */
  readonly smtp?: () => TransportView[];
  readonly metrics?: Metrics;
  /** Per-process concurrency of some queues, over the registry's (PREVIEW_CONCURRENCY). */
  readonly concurrency?: Partial<Record<QueueName, number>>;
  /** Stalls a job survives (MAX_STALLS by default). */
  readonly maxStalledCount?: number;
  /** Job history (JOB_HISTORY=on): each job's terminal outcome, buffered and written in batches. */
  readonly history?: Pick<JobHistoryWriter, 'start' | 'record' | 'close'>;
}

/**
 * How often a job may stall (its worker killed, OOM-killed, stopped past its lock, or forced down
 * at shutdown) before BullMQ fails it for good. A stall is the process's misfortune, not the job's
 * failure, and handlers are idempotent: BullMQ's default of 1 made a job whose worker died twice
 * in a row an unrecoverable failure, its outbox row failed and its emails never sent (found by the
 * slow-smtp drill). Still bounded, so a job that takes down every worker that runs it stops.
 */
export const MAX_STALLS = 5;

/** The issues zod found, as `path: message`; a few are enough to see what a producer got wrong. */
export function payloadIssues(error: z.ZodError, shown = 5): string {
  const issues = error.issues.slice(0, shown).map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ` : '') + i.message);
  const more = error.issues.length - shown;
  return issues.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/** The BullMQ workers of one process: one Worker per queue it serves. */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private active = 0;
  private heartbeat: Heartbeat | null = null;
  /** Set when shutdown aborts the jobs still running: each is handed back, not failed. */
  private handingBack = false;

  constructor(private readonly deps: WorkerPoolOptions) {}

  start(): void {
    const concurrencyOf = (q: QueueName) => this.deps.concurrency?.[q] ?? QUEUES[q].concurrency ?? this.deps.defaultConcurrency;
    const concurrency = Object.fromEntries(this.deps.queues.map((q) => [q, concurrencyOf(q)]));
    this.heartbeat = new Heartbeat({
      redis: this.deps.connection, prefix: this.deps.prefix, queues: [...this.deps.queues], concurrency, activeJobs: () => this.active, intervalMs: this.deps.heartbeatMs, smtp: this.deps.smtp,
    });
    this.heartbeat.start();
    this.deps.history?.start();
    const workerId = this.heartbeat.id;
    for (const queue of this.deps.queues) {
      const handlers = this.deps.handlers[queue] as Record<string, JobHandler<unknown>>;
      const schemas = JOB_SCHEMAS[queue] as Record<string, z.ZodType>;
      const concurrency = concurrencyOf(queue);
      // Three parameters: BullMQ then hands each job an AbortSignal (see close()).
      const worker = new Worker(bullQueueName(queue), (job, token, signal) => this.run(queue, handlers, schemas, job, token, signal), {
        connection: this.deps.connection,
        prefix: this.deps.prefix,
        concurrency,
        autorun: true,
        lockDuration: this.deps.lockMs,
        stalledInterval: this.deps.lockMs,
        maxStalledCount: this.deps.maxStalledCount ?? MAX_STALLS,
        // After a connection error BullMQ waits this long before fetching again (15 s by default):
        // a Redis restart or a Sentinel failover of 2-3 s then left the workers taking no job for 15 s.
        runRetryDelay: 1_000,
        // Per-minute completed/failed counts for a week: throughput charts and failure-rate health.
        metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      });
      worker.on('failed', (job, err) => {
        this.deps.log.warn({ queue, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: err.message }, 'job failed');
        const outboxId = outboxIdOf(job?.id);
        const final = err.name === 'UnrecoverableError' || (job && job.attemptsMade >= (job.opts.attempts ?? 1));
        if (outboxId && final) void markOutboxFailed(this.deps.db, outboxId).catch(() => undefined);
        else if (job?.id && !job.repeatJobKey && final) void failJobRows(this.deps.db, queue, job.id).catch(() => undefined);
        // Final only (a stall-limit failure arrives here too, as an UnrecoverableError); a retry,
        // a hand-back at shutdown (WaitingError) or a deferral (DelayedError) is not an outcome.
        if (job && final) this.deps.history?.record({ queue, job, state: 'failed', error: err, worker: workerId });
      });
      worker.on('completed', (job, result) => this.deps.history?.record({ queue, job, state: 'completed', result, worker: workerId }));
      worker.on('error', (err) => this.deps.log.warn({ queue, err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  private async run(
    queue: QueueName, handlers: Record<string, JobHandler<unknown>>, schemas: Record<string, z.ZodType>, job: Job, token: string | undefined, signal?: AbortSignal,
  ): Promise<unknown> {
    const handler = handlers[job.name];
    const schema = Object.hasOwn(schemas, job.name) ? schemas[job.name] : undefined;
    if (!handler || !schema) throw new UnrecoverableError(`no handler for job ${job.name} on ${queue}`);
    const started = Date.now();
    const observe = (outcome: 'completed' | 'failed') => this.deps.metrics?.jobDuration.observe({ queue, job: job.name, outcome }, (Date.now() - started) / 1000);
    this.active++;
    try {
      // An iteration of a paused schedule (schedule-state.ts) completes without running.
      const paused = await skipPausedRun(this.deps.db, job);
      if (paused) return paused;
      // Deduplicated work: free the key first, so a change committed from now on gets its own job.
      const dedupeKey = job.deduplicationId;
      if (dedupeKey) await job.removeDeduplicationKey();
      const merged = dedupeKey ? await unfinishedOfKey(this.deps.db, dedupeKey) : [];
      // Data from Redis or an outbox row is whatever its producer wrote: a payload that does not fit
      // fails once here with zod's issues (retries would not fix it), not as a TypeError deep inside.
      const payload = schema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`Invalid payload of ${queue}/${job.name}: ${payloadIssues(payload.error)}`);
      const result = await handler(payload.data, job, signal);
      const outboxId = outboxIdOf(job.id);
      if (outboxId) await markOutboxCompleted(this.deps.db, outboxId);
      // A fixed-id job (outbox-fixed.ts): the rows it was relayed from are done; one written since is a new intent.
      else if (job.id && !job.repeatJobKey) await completeJobRows(this.deps.db, queue, job.id, { relayedOnly: true });
      await markManyOutboxCompleted(this.deps.db, merged);
      observe('completed');
      this.deps.log.debug({ queue, jobId: job.id, job: job.name, ms: Date.now() - started }, 'job completed');
      return result;
    } catch (err) {
      if (this.handingBack && signal?.aborted && token) {
        // Shutdown aborted it (close()): not the job's failure. Back to waiting for another
        // worker, attemptsMade unchanged (BullMQ's moveToWait + WaitingError; no stall counted).
        await job.moveToWait(token);
        this.deps.log.info({ queue, jobId: job.id, job: job.name, attempt: job.attemptsMade }, 'job handed back at shutdown');
        throw new WaitingError();
      }
      if (err instanceof DeferUntilError && token) {
        // Not a failure: the work is held elsewhere. Back to delayed, no attempt used.
        await job.moveToDelayed(err.until.getTime() + DEFER_MARGIN_MS, token);
        this.deps.log.info({ queue, jobId: job.id, job: job.name, until: err.until.toISOString(), reason: err.message }, 'job deferred');
        throw new DelayedError();
      }
      observe('failed');
      this.deps.metrics?.jobFailures.inc({ queue, job: job.name });
      throw err;
    } finally {
      this.active--;
    }
  }

  /**
   * Lets active jobs finish within the timeout; then aborts those still running. A job whose
   * handler honours its AbortSignal (previews, thumbnails, scans) goes back to waiting with its
   * attempts unchanged; one that keeps running is recovered by the stalled-job check.
   */
  async close(): Promise<void> {
    await this.closeWorkers();
    // After the workers: the outcomes of the jobs they finished while closing are buffered too.
    await this.deps.history?.close();
  }

  private async closeWorkers(): Promise<void> {
    await this.heartbeat?.stop();
    const within = <T>(work: Promise<T>, ms: number) =>
      Promise.race([work.then(() => 'done' as const), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
    if ((await within(Promise.all(this.workers.map((w) => w.close())), this.deps.shutdownTimeoutMs)) === 'done') return;
    this.deps.log.warn('workers did not finish in time; aborting the jobs still running (handed back to waiting)');
    // Handlers that take the signal (previews) stop their child processes and remove their temp
    // files; run() then hands each job back.
    this.handingBack = true;
    for (const w of this.workers) w.cancelAllJobs('worker shutting down');
    // (close(true) returns the close already under way: BullMQ closes a worker once.) A worker
    // whose Redis connection is mid-reconnect may never answer; its active jobs are recovered by
    // the stalled-job check either way, so shutdown goes on.
    if ((await within(Promise.all(this.workers.map((w) => w.close(true))), 5_000)) === 'timeout') {
      this.deps.log.warn('workers did not close; leaving their connections to be dropped');
    }
  }
}
