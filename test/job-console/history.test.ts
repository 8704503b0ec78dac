import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import { DeferUntilError } from '../../src/platform/queue/deferral.js';
import { listWorkers } from '../../src/platform/queue/heartbeat.js';
import { JobHistoryWriter } from '../../src/platform/queue/job-history.js';
import type { JobHandlers, QueueName } from '../../src/platform/queue/registry.js';
import { catchUpJobId, SCHEDULES } from '../../src/platform/queue/schedules.js';
import { WorkerPool } from '../../src/platform/queue/workers.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * Job history written by real workers (a WorkerPool over real BullMQ, Redis and PostgreSQL): what
 * each terminal outcome records, that only terminal outcomes are recorded, that writes are
 * batched, and that shutdown writes what is buffered. The writer's own failure modes
 * (PostgreSQL away, the bound, partitions) are in history-writer.test.ts.
 */
let t: TestApp;
const connections: RedisClient[] = [];
const pools: WorkerPool[] = [];
const log = createLogger('silent');

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(async () => {
  for (const p of pools) await p.close();
  for (const c of connections) c.disconnect();
  await t.close();
});

type Handler = (data: unknown, job: { attemptsMade: number }, signal?: AbortSignal) => Promise<unknown>;

/** A worker process's pool over some queues, with handlers of the test's own, recording history. */
function startPool(queues: QueueName[], handlers: Record<string, Record<string, Handler>>, options: {
  history?: Partial<ConstructorParameters<typeof JobHistoryWriter>[0]> | null; lockMs?: number; maxStalledCount?: number; concurrency?: number;
  shutdownTimeoutMs?: number;
  /** false: a pool the test kills (its connection cut), never closed. */
  track?: boolean;
} = {}) {
  const connection = testRedis({ maxRetriesPerRequest: null });
  connections.push(connection);
  const writer = options.history === null ? null : new JobHistoryWriter({
    db: t.app.database.db, log, flushMs: 50, batch: 500, bufferMax: 20_000, dataMaxBytes: 8_192, ...options.history,
  });
  const pool = new WorkerPool({
    connection, prefix: t.prefix, db: t.app.database.db, log, handlers: handlers as unknown as JobHandlers, queues,
    defaultConcurrency: options.concurrency ?? 5, shutdownTimeoutMs: options.shutdownTimeoutMs ?? 2_000, lockMs: options.lockMs ?? 30_000, heartbeatMs: 60_000,
    maxStalledCount: options.maxStalledCount, history: writer ?? undefined,
  });
  pool.start();
  if (options.track !== false) pools.push(pool);
  return { pool, writer: writer!, connection };
}

const rowsOf = (where: { jobId?: string; queue?: string; scheduleId?: string } = {}) => {
  let q = t.app.database.db.selectFrom('job_history').selectAll().orderBy('id');
  if (where.jobId) q = q.where('job_id', '=', where.jobId);
  if (where.queue) q = q.where('queue', '=', where.queue);
  if (where.scheduleId) q = q.where('schedule_id', '=', where.scheduleId);
  return q.execute();
};
const until = async (check: () => Promise<boolean>, what: string, ms = 15_000) => {
  if (!(await waitFor(check, ms, 25))) throw new Error(`timed out waiting for ${what}`);
};
/** The heartbeat id of the live worker serving exactly these queues. */
const workerIdOf = async (queues: QueueName[]) => {
  let id: string | undefined;
  await until(async () => {
    id = (await listWorkers(t.app.redis, t.prefix)).find((w) => w.queues.join() === queues.join())?.id;
    return id !== undefined;
  }, 'the worker heartbeat');
  return id!;
};

describe('job history from real workers', () => {
  it('records a completed and a failed job with every field', async () => {
    const queue = t.app.queues.get('notification-inbox');
    const { pool } = startPool(['notification-inbox'], {
      'notification-inbox': {
        NotificationWake: async (data) => {
          if ((data as { id: string }).id === 'boom') throw new Error('SMTP 421 Try Again Later');
          await new Promise((r) => setTimeout(r, 60)); // the job's own work, so run_ms has something to measure
          return { told: 3 };
        },
      },
    });
    const worker = await workerIdOf(['notification-inbox']);
    const until1 = '2026-03-14T09:00:00.000Z';
    await queue.add('NotificationWake', { id: 'wake-1', until: until1, note: 'Hello Quasar' } as never, { jobId: 'hist-ok-1' });
    await queue.add('NotificationWake', { id: 'boom', until: until1 } as never, { jobId: 'hist-fail-1', attempts: 1 });
    await until(async () => (await rowsOf({ queue: 'notification-inbox' })).length === 2, 'two history rows');

    const done = (await queue.getJob('hist-ok-1'))!;
    const failed = (await queue.getJob('hist-fail-1'))!;
    expect(await done.getState()).toBe('completed');
    expect(await failed.getState()).toBe('failed');
    const [ok] = await rowsOf({ jobId: 'hist-ok-1' });
    expect(ok).toMatchObject({
      queue: 'notification-inbox', job_id: 'hist-ok-1', name: 'NotificationWake', state: 'completed',
      data: { id: 'wake-1', until: until1, note: 'Hello Quasar' }, return_summary: '{"told":3}', failed_reason: null, stacktrace: null,
      attempts: 1, worker, schedule_id: null,
    });
    // BullMQ's own times, to the millisecond.
    expect(ok!.created_at.getTime()).toBe(done.timestamp);
    expect(ok!.processed_at!.getTime()).toBe(done.processedOn);
    expect(ok!.finished_at.getTime()).toBe(done.finishedOn);
    expect(ok!.run_ms).toBe(done.finishedOn! - done.processedOn!);
    expect(ok!.run_ms).toBeGreaterThanOrEqual(55);
    expect(ok!.run_ms).toBeLessThan(10_000);
    expect(ok!.wait_ms).toBe(done.processedOn! - done.timestamp);
    expect(ok!.wait_ms).toBeGreaterThanOrEqual(0);
    expect(ok!.wait_ms).toBeLessThan(10_000);
    expect(ok!.search_text).toBe(`hist-ok-1 notificationwake wake-1 ${until1.toLowerCase()} hello quasar`);

    const [bad] = await rowsOf({ jobId: 'hist-fail-1' });
    expect(bad).toMatchObject({
      state: 'failed', name: 'NotificationWake', failed_reason: 'SMTP 421 Try Again Later', return_summary: null, attempts: 1, worker,
      data: { id: 'boom', until: until1 },
    });
    expect(bad!.stacktrace).toMatch(/^Error: SMTP 421 Try Again Later\n\s+at /);
    expect(bad!.finished_at.getTime()).toBe(failed.finishedOn);
    expect(bad!.search_text).toContain('smtp 421 try again later');
    await pool.close();
  });

  it('records a job retried then done once, completed with its attempts; a deferral is not an outcome', async () => {
    const queue = t.app.queues.get('notification-inbox');
    const { pool } = startPool(['notification-inbox'], {
      'notification-inbox': {
        NotificationWake: async (data, job) => {
          const { id } = data as { id: string };
          if (id === 'flaky' && job.attemptsMade === 0) throw new Error('first attempt fails');
          if (id === 'deferred' && job.attemptsMade === 0 && !deferred) {
            deferred = true;
            throw new DeferUntilError(new Date(Date.now() + 100), 'claimed elsewhere');
          }
          return 'ok';
        },
      },
    });
    let deferred = false;
    await queue.add('NotificationWake', { id: 'flaky', until: 'x' }, { jobId: 'hist-retry-1', attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    await queue.add('NotificationWake', { id: 'deferred', until: 'x' }, { jobId: 'hist-defer-1', attempts: 3 });
    await until(async () => (await rowsOf({ jobId: 'hist-retry-1' })).length > 0 && (await rowsOf({ jobId: 'hist-defer-1' })).length > 0, 'both rows');
    await pool.close(); // whatever was buffered is written now
    expect((await rowsOf({ jobId: 'hist-retry-1' })).map((r) => [r.state, r.attempts, r.failed_reason])).toEqual([['completed', 2, null]]);
    const defer = await rowsOf({ jobId: 'hist-defer-1' });
    expect(deferred).toBe(true);
    expect(defer.map((r) => [r.state, r.attempts])).toEqual([['completed', 1]]);
  });

  it('does not record a job handed back at shutdown; its run by the next worker is the one row', async () => {
    const queue = t.app.queues.get('notification-inbox');
    let started = 0;
    // A handler that honours its AbortSignal, still running when its worker shuts down.
    const first = startPool(['notification-inbox'], {
      'notification-inbox': {
        NotificationWake: (_data, _job, signal) => {
          started++;
          return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted'))));
        },
      },
    }, { shutdownTimeoutMs: 200 });
    await queue.add('NotificationWake', { id: 'handback', until: 'x' }, { jobId: 'hist-handback-1', attempts: 3 });
    await until(async () => started === 1, 'the job to start');
    await first.pool.close(); // aborts it: handed back to waiting, its attempts unchanged
    expect(await queue.getJobState('hist-handback-1')).toBe('waiting');
    expect(await rowsOf({ jobId: 'hist-handback-1' })).toEqual([]);
    const second = startPool(['notification-inbox'], { 'notification-inbox': { NotificationWake: async () => 'done' } });
    await until(async () => (await rowsOf({ jobId: 'hist-handback-1' })).length === 1, 'the second run\'s row');
    await second.pool.close();
    expect((await rowsOf({ jobId: 'hist-handback-1' })).map((r) => [r.state, r.attempts, r.return_summary])).toEqual([['completed', 1, '"done"']]);
  });

  it('records a job failed by the stalled check (its workers died past the stall limit)', async () => {
    const queue = t.app.queues.get('search-index-reindex');
    let runs = 0;
    // This "process" takes the job and dies with it (kill -9): no completion, no lock renewal.
    const dying = startPool(['search-index-reindex'], {
      'search-index-reindex': { SearchReindex: async () => { runs++; return new Promise(() => undefined); } },
    }, { history: null, lockMs: 500, track: false });
    await queue.add('SearchReindex', { trigger: 'manual' }, { jobId: 'hist-stall-1', attempts: 3 });
    await until(async () => runs === 1, 'the dying worker to take the job');
    dying.connection.disconnect();
    // A worker that allows no stall: its stalled check fails the job for good.
    const { pool } = startPool(['search-index-reindex'], {
      'search-index-reindex': { SearchReindex: async () => { runs++; return 'ran'; } },
    }, { lockMs: 500, maxStalledCount: 0 });
    await until(async () => (await rowsOf({ jobId: 'hist-stall-1' })).length > 0, 'the stalled job\'s row');
    const [row] = await rowsOf({ jobId: 'hist-stall-1' });
    expect(row).toMatchObject({ state: 'failed', failed_reason: 'job stalled more than allowable limit', name: 'SearchReindex', queue: 'search-index-reindex' });
    expect(await queue.getJobState('hist-stall-1')).toBe('failed');
    expect(runs).toBe(1);
    await pool.close();
  });

  it('names the schedule of a scheduler iteration and of a catch-up, due at the run\'s time', async () => {
    const schedule = SCHEDULES.find((s) => s.id === 'job-history-maintenance')!;
    expect(schedule).toMatchObject({ queue: 'job-console', job: 'JobHistoryMaintain', tz: 'UTC' });
    const queue = t.app.queues.get('job-console');
    const { pool } = startPool(['job-console'], {
      'job-console': { JobHistoryMaintain: async () => ({ created: 0, dropped: [] }), JobMetricsRollup: async () => ({}) },
    });
    await queue.upsertJobScheduler(schedule.id, { every: 200 }, { name: schedule.job, data: {} });
    try {
      await until(async () => (await rowsOf({ scheduleId: schedule.id })).length >= 2, 'two iterations recorded');
    } finally {
      await queue.removeJobScheduler(schedule.id);
    }
    const runAt = Date.now() - 3_600_000;
    await queue.add('JobHistoryMaintain', {}, { jobId: catchUpJobId(schedule.id, runAt), timestamp: runAt });
    await until(async () => (await rowsOf({ jobId: catchUpJobId(schedule.id, runAt) })).length === 1, 'the catch-up recorded');
    await pool.close();

    const rows = await rowsOf({ scheduleId: schedule.id });
    const iterations = rows.filter((r) => r.job_id.startsWith('repeat:'));
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    for (const r of iterations) {
      // BullMQ names an iteration repeat:<scheduler>:<its run time>: it was due then, not when it was made.
      expect(r.created_at.getTime()).toBe(Number(r.job_id.split(':').at(-1)));
      expect(r.state).toBe('completed');
      expect(r.return_summary).toBe('{"created":0,"dropped":[]}');
    }
    const catchUp = rows.find((r) => r.job_id === catchUpJobId(schedule.id, runAt))!;
    expect(catchUp.created_at.getTime()).toBe(runAt);
    expect(catchUp.wait_ms).toBeGreaterThanOrEqual(3_600_000);
  });

  it('writes 1,000 quick jobs in a few batched INSERTs, every one of them', async () => {
    const queue = t.app.queues.get('notification-inbox');
    const { pool, writer } = startPool(['notification-inbox'], {
      'notification-inbox': { NotificationWake: async () => 'ok' },
    }, { history: { flushMs: 1_000, batch: 500 }, concurrency: 50 });
    const jobs = Array.from({ length: 1_000 }, (_, i) => ({ name: 'NotificationWake', data: { id: `bulk-${i}`, until: 'x' }, opts: { jobId: `hist-bulk-${i}` } }));
    for (let i = 0; i < jobs.length; i += 250) await queue.addBulk(jobs.slice(i, i + 250) as never);
    const count = async () => Number((await t.app.database.db.selectFrom('job_history').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', 'like', 'hist-bulk-%').executeTakeFirstOrThrow()).n);
    await until(async () => (await count()) === 1_000, '1,000 rows', 60_000);
    const ids = await t.app.database.db.selectFrom('job_history').select('job_id').distinct().where('job_id', 'like', 'hist-bulk-%').execute();
    expect(ids).toHaveLength(1_000);
    // One INSERT per batch of up to 500, or per 1 s tick: a handful, not one per job.
    expect(writer.stats.written).toBe(1_000);
    expect(writer.stats.flushes).toBeLessThanOrEqual(40);
    expect(writer.stats.dropped).toBe(0);
    await pool.close();
  });

  it('writes what is buffered when the worker stops', async () => {
    const queue = t.app.queues.get('notification-inbox');
    // No tick and no full batch before the stop: only close() writes these.
    const { pool, writer } = startPool(['notification-inbox'], {
      'notification-inbox': { NotificationWake: async () => 'ok' },
    }, { history: { flushMs: 600_000, batch: 10_000 } });
    await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'NotificationWake', data: { id: `stop-${i}`, until: 'x' }, opts: { jobId: `hist-stop-${i}` } })));
    await until(async () => writer.pending === 20, '20 buffered outcomes');
    const rows = () => t.app.database.db.selectFrom('job_history').select('job_id').where('job_id', 'like', 'hist-stop-%').execute();
    expect(await rows()).toHaveLength(0);
    await pool.close();
    expect(await rows()).toHaveLength(20);
    expect(writer.pending).toBe(0);
  });
});

describe('wiring (roles.ts)', () => {
  it('a worker process records history with its heartbeat id (JOB_HISTORY=on, the default)', async () => {
    const worker = await t.sibling({ roles: ['worker'], queues: ['job-console'] });
    try {
      const id = await workerIdOf(['job-console']);
      await t.app.queues.get('job-console').add('JobHistoryMaintain', {}, { jobId: 'hist-wired-1' });
      await until(async () => (await rowsOf({ jobId: 'hist-wired-1' })).length === 1, 'the wired row');
      const [row] = await rowsOf({ jobId: 'hist-wired-1' });
      expect(row).toMatchObject({ state: 'completed', worker: id, queue: 'job-console', name: 'JobHistoryMaintain' });
      expect(JSON.parse(row!.return_summary!)).toMatchObject({ created: 4 });
    } finally {
      await worker.stop();
    }
  });

  it('JOB_HISTORY=off: jobs run, nothing is written', async () => {
    const off = await createTestApp({ JOB_HISTORY: 'off' }, { roles: ['api'] });
    try {
      const worker = await off.sibling({ roles: ['worker'], queues: ['job-console'] });
      const queue = off.app.queues.get('job-console');
      await queue.add('JobHistoryMaintain', {}, { jobId: 'off-1' });
      const done = await waitFor(async () => (await queue.getJobState('off-1')) === 'completed', 15_000, 25);
      await worker.stop(); // a writer, had there been one, would have written everything by now
      expect(done).toBe(true);
      // The job ran (it made the partitions) and left no row.
      const { rows: [partitions] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'job_history'::regclass`.execute(off.app.database.db);
      expect(partitions!.n).toBeGreaterThanOrEqual(4);
      const rows = await off.app.database.db.selectFrom('job_history').select('job_id').execute();
      expect(rows).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
