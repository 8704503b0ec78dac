import type { Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import { OutboxRelay } from '../../src/platform/queue/outbox.js';
import type { JobHandlers } from '../../src/platform/queue/registry.js';
import { WorkerPool } from '../../src/platform/queue/workers.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * Job payloads are validated by their registry schema before the handler runs (issue 22): data that
 * does not fit fails the job once (no retries: they would not fix it) with a reason naming the
 * queue, the job and zod's issues, and its outbox row fails as any job failed for good does. Before,
 * the handler got whatever was in Redis and failed (or not) wherever a field was first used.
 */
describe('job payloads checked on entry', () => {
  let t: TestApp;
  let connection: RedisClient;
  let pool: WorkerPool;
  let relay: OutboxRelay;
  const seen: Array<{ job: string; data: unknown }> = [];
  const record = (job: string) => async (data: unknown) => {
    seen.push({ job, data });
    return 'ran';
  };

  beforeAll(async () => {
    // The API process gives the database, the queues and the prefix; this file's pool and relay do
    // the work, with handlers that only record what they were given.
    t = await createTestApp({}, { roles: ['api'] });
    connection = testRedis({ maxRetriesPerRequest: null });
    const handlers = {
      'notification-delivery': { NotificationsDeliver: record('NotificationsDeliver') },
      'blog-publish': { BlogPublish: record('BlogPublish'), BlogReconcile: record('BlogReconcile') },
    } as unknown as JobHandlers;
    const log = createLogger('silent');
    pool = new WorkerPool({
      connection, prefix: t.prefix, db: t.app.database.db, log, handlers, queues: ['notification-delivery', 'blog-publish'],
      defaultConcurrency: 2, shutdownTimeoutMs: 1_000, lockMs: 30_000, heartbeatMs: 60_000,
    });
    pool.start();
    relay = new OutboxRelay({ db: t.app.database.db, pool: t.app.database.pool, queues: t.app.queues, redis: connection, prefix: t.prefix, log, pollMs: 50 });
    await relay.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await pool?.close();
    connection?.disconnect();
    await t?.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  /** The job once it completed or failed for good (a retry would be waiting or delayed). */
  const finished = async (job: Job) => {
    expect(await waitFor(async () => ['completed', 'failed'].includes(await job.getState()), 15_000, 20)).toBe(true);
    // BullMQ knows a queue by its hash-tagged name ({notification-delivery}: platform/redis/keys.ts).
    const after = await t.app.queues.get(job.queueName.slice(1, -1) as 'blog-publish').getJob(job.id!);
    return { state: await after!.getState(), attempts: after!.attemptsMade, reason: after!.failedReason || null };
  };

  it('fails a job whose data does not fit its schema once, naming the queue, job and issues, without running the handler', async () => {
    const queue = t.app.queues.get('notification-delivery');
    // Five attempts by default (JOB_ATTEMPTS): a validation failure must not use more than one.
    const job = await queue.add('NotificationsDeliver', { notificationIds: 'n-1' });
    expect(job.opts.attempts).toBeGreaterThan(1);
    expect(await finished(job)).toEqual({
      state: 'failed', attempts: 1,
      reason: 'Invalid payload of notification-delivery/NotificationsDeliver: notificationIds: Invalid input: expected array, received string',
    });
    expect(seen).toEqual([]);
  });

  it('lists every issue, with its path, and fails a payload that is not an object at all', async () => {
    const queue = t.app.queues.get('blog-publish');
    const nested = await finished(await queue.add('BlogReconcile', { at: 7 }));
    expect(nested.reason).toBe('Invalid payload of blog-publish/BlogReconcile: at: Invalid input: expected string, received number');
    const none = await finished(await queue.add('BlogPublish', null));
    expect(none).toEqual({ state: 'failed', attempts: 1, reason: 'Invalid payload of blog-publish/BlogPublish: Invalid input: expected object, received null' });
    expect(seen).toEqual([]);
  });

  it('runs a job whose data fits: optional fields may be left out, and keys the schema does not know are dropped', async () => {
    const queue = t.app.queues.get('notification-delivery');
    const job = await queue.add('NotificationsDeliver', { notificationIds: ['n-1', 'n-2'], addedByANewerProducer: true });
    expect(await finished(job)).toEqual({ state: 'completed', attempts: 1, reason: null });
    const reconcile = await finished(await t.app.queues.get('blog-publish').add('BlogReconcile', {}));
    expect(reconcile.state).toBe('completed');
    expect(seen).toEqual([
      { job: 'NotificationsDeliver', data: { notificationIds: ['n-1', 'n-2'] } },
      { job: 'BlogReconcile', data: {} },
    ]);
  });

  it('fails a job name the registry does not know on a known queue the same way', async () => {
    const job = await t.app.queues.get('notification-delivery').add('NotificationsExplode', { notificationIds: [] });
    expect(await finished(job)).toEqual({ state: 'failed', attempts: 1, reason: 'no handler for job NotificationsExplode on notification-delivery' });
    expect(seen).toEqual([]);
  });

  it('marks the outbox row of a malformed job failed, as for any job failed for good, and completes a good one', async () => {
    const db = t.app.database.db;
    const rows = await db.insertInto('outbox').values([
      { queue: 'blog-publish', job_name: 'BlogPublish', payload: JSON.stringify({ postId: 42 }) },
      { queue: 'blog-publish', job_name: 'BlogPublish', payload: JSON.stringify({ postId: 'post-1' }) },
    ]).returning('id').execute();
    const ids = rows.map((r) => r.id);
    const outcome = () => db.selectFrom('outbox').select(['id', 'completed_at', 'failed_at']).where('id', 'in', ids).orderBy('id').execute();
    expect(await waitFor(async () => (await outcome()).every((r) => r.completed_at || r.failed_at), 15_000, 20)).toBe(true);
    const [bad, good] = await outcome();
    expect({ completed: bad!.completed_at, failed: bad!.failed_at instanceof Date }).toEqual({ completed: null, failed: true });
    expect({ completed: good!.completed_at instanceof Date, failed: good!.failed_at }).toEqual({ completed: true, failed: null });
    const job = await t.app.queues.get('blog-publish').getJob(`outbox-${bad!.id}`);
    expect({ attempts: job!.attemptsMade, reason: job!.failedReason }).toEqual({
      attempts: 1, reason: 'Invalid payload of blog-publish/BlogPublish: postId: Invalid input: expected string, received number',
    });
    expect(seen).toEqual([{ job: 'BlogPublish', data: { postId: 'post-1' } }]);
  });
});
