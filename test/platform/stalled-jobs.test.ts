import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import type { JobHandlers } from '../../src/platform/queue/registry.js';
import { WorkerPool } from '../../src/platform/queue/workers.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * Found by the slow-smtp drill (issue 16, point 10): a delivery job whose worker was stopped and
 * then whose next worker was killed had stalled twice, and BullMQ's default (maxStalledCount 1)
 * failed it for good ("job stalled more than allowable limit", an unrecoverable failure): its
 * outbox row was marked failed and its unsent emails were never sent. A stall is the process's
 * misfortune, not the job's failure: two crashed workers in a row must not lose the work.
 */
const LOCK_MS = 500;

describe('a job that stalls more than once', () => {
  let t: TestApp;
  const connections: RedisClient[] = [];
  beforeAll(async () => {
    t = await createTestApp({}, { roles: ['api'] });
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await t.close();
  });

  /** A worker process's pool over one queue, and its Redis connection (cut: the process is dead to Redis). */
  const pool = (handler: () => Promise<unknown>) => {
    const connection = testRedis({ maxRetriesPerRequest: null });
    connections.push(connection);
    const handlers = { 'search-index-reindex': { SearchReindex: handler } } as unknown as JobHandlers;
    const p = new WorkerPool({
      connection, prefix: t.prefix, db: t.app.database.db, log: createLogger('silent'), handlers, queues: ['search-index-reindex'],
      defaultConcurrency: 1, shutdownTimeoutMs: 50, lockMs: LOCK_MS, heartbeatMs: 60_000,
    });
    p.start();
    return { pool: p, connection };
  };

  it('is still run to completion after two workers died holding it', async () => {
    const queue = t.app.queues.get('search-index-reindex');
    let runs = 0;
    const never = new Promise(() => undefined);
    // A registered job with a valid payload: the WorkerPool fails any other before its handler.
    const job = await queue.add('SearchReindex', { trigger: 'manual' }, { jobId: 'stall-probe', attempts: 3 });
    for (let crash = 1; crash <= 2; crash++) {
      // This "process" takes the job and dies with it (kill -9): no completion, no lock renewal,
      // no stalled check of its own. (A graceful close would keep renewing the hung job's lock.)
      const dying = pool(async () => {
        runs++;
        return never;
      });
      expect({ crash, taken: await waitFor(async () => runs === crash, 10_000, 20) }).toEqual({ crash, taken: true });
      dying.connection.disconnect();
    }
    const { pool: healthy } = pool(async () => {
      runs++;
      return 'done';
    });
    try {
      const finished = await waitFor(async () => ['completed', 'failed'].includes(await queue.getJobState(job.id!)), 15_000, 50);
      expect(finished).toBe(true);
      const after = await queue.getJob(job.id!);
      expect({ state: await after!.getState(), reason: after!.failedReason ?? null, runs }).toEqual({ state: 'completed', reason: null, runs: 3 });
    } finally {
      await healthy.close();
    }
  });
});
