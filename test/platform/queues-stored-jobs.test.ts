import { randomBytes } from 'node:crypto';
import { Worker, type Job, type JobType } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { Queues, storedJob, type StoredJob } from '../../src/platform/queue/queues.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createQueueRedis, type RedisClient } from '../../src/platform/redis/connection.js';
import { waitFor } from '../../src/platform/net.js';
import { REDIS_TARGET } from '../helpers/env.js';
import { deleteRedisPrefix } from '../helpers/redis.js';

/**
 * Queues.newestJobs reads a state's jobs from the hashes BullMQ's own getJobs script returns,
 * without BullMQ's Job: its reading of the hash fields must stay BullMQ's. Each state is held to
 * what getJobs answers for the same jobs (a BullMQ upgrade that renames a field fails here).
 */
const prefix = `stored${randomBytes(4).toString('hex')}`;
let connection: RedisClient;
let workerConnection: RedisClient;
let queues: Queues;
let worker: Worker | null = null;
let release: () => void = () => undefined;

const asStored = (job: Job): StoredJob => ({
  id: job.id!, name: job.name, dataJson: JSON.stringify(job.data), timestamp: job.timestamp,
  processedOn: job.processedOn || null, finishedOn: job.finishedOn || null, attemptsMade: job.attemptsMade,
  failedReason: job.failedReason || null, processedBy: job.processedBy ?? null, repeatJobKey: job.repeatJobKey ?? null,
});

beforeAll(async () => {
  connection = createQueueRedis(REDIS_TARGET);
  workerConnection = createQueueRedis(REDIS_TARGET);
  queues = new Queues({ connection, prefix, defaults: { attempts: 3, backoffMs: 60_000 }, log: createLogger('silent') });
});

afterAll(async () => {
  release();
  await worker?.close(true);
  await queues.close();
  connection.disconnect();
  workerConnection.disconnect();
  await deleteRedisPrefix(prefix);
});

describe('Queues.newestJobs', () => {
  it('reads every live state as BullMQ getJobs does: id, name, data, times, attempts, reason, worker, scheduler', async () => {
    const q = queues.get('media-scan');
    // A job that failed its first attempt (retried later: delayed, with attemptsMade, failedReason and
    // processedOn set) and one held active by the worker.
    await q.add('MediaScan', { assetId: 'fails' }, { jobId: 'fails-once' });
    const held = new Promise<void>((resolve) => { release = resolve; });
    worker = new Worker(bullQueueName('media-scan'), async (job) => {
      if (job.id === 'fails-once') throw new Error('first attempt failed: ECONNREFUSED 10.0.0.1:587');
      if (job.data.assetId === 'active') await held;
    }, { connection: workerConnection, prefix, concurrency: 4, name: 'stored-jobs-worker' });
    expect(await waitFor(async () => (await q.getJob('fails-once'))?.attemptsMade === 1, 10_000)).toBe(true);
    await q.add('MediaScan', { assetId: 'active' }, { jobId: 'held-active' });
    expect(await waitFor(async () => (await q.getJobState('held-active')) === 'active', 10_000)).toBe(true);

    // In a queue no worker takes from: waiting (data JSON kept exactly), prioritized, delayed, a scheduler's run.
    const idle = queues.get('media-thumbnail');
    await idle.add('MediaThumbnail', { assetId: 'a-1', nested: { list: [1, 'two', null], unicode: 'é 😀' } });
    await idle.add('MediaThumbnail', { assetId: 'a-2' }, { priority: 5 });
    await idle.add('MediaThumbnail', { assetId: 'a-3' }, { delay: 3_600_000 });
    await idle.upsertJobScheduler('stored-jobs-every-hour', { every: 3_600_000, startDate: Date.now() + 3_600_000 }, { name: 'MediaThumbnail', data: { assetId: 'sched' } });
    const states: JobType[] = ['waiting', 'prioritized', 'delayed', 'active'];
    const seen = new Set<string>();
    for (const name of ['media-scan', 'media-thumbnail'] as const) {
      for (const state of states) {
        const ours = await queues.newestJobs(name, state, 100);
        const theirs = (await queues.get(name).getJobs([state], 0, 99, false)).map(asStored);
        expect(ours, `${name} ${state}`).toEqual(theirs);
        for (const job of ours) seen.add(job.id);
      }
    }
    // Every kind above was read: the retried failure with its reason and attempts, the worker's id, the scheduler.
    expect((await queues.newestJobs('media-scan', 'delayed', 100)).find((j) => j.id === 'fails-once')).toMatchObject({ attemptsMade: 1, failedReason: expect.stringContaining('ECONNREFUSED') });
    const delayed = await queues.newestJobs('media-thumbnail', 'delayed', 100);
    expect(delayed.some((j) => j.repeatJobKey === 'stored-jobs-every-hour')).toBe(true);
    expect((await queues.newestJobs('media-scan', 'active', 100))[0]).toMatchObject({ id: 'held-active', processedBy: expect.stringContaining('stored-jobs-worker') });
    expect(seen.size).toBe(6);
    // A bounded read takes the newest; none asked, none read.
    expect(await queues.newestJobs('media-thumbnail', 'delayed', 1)).toEqual([delayed[0]]);
    expect(await queues.newestJobs('media-thumbnail', 'delayed', 0)).toEqual([]);
  });

  it('reads a hash with missing or unreadable fields as no value, never NaN', () => {
    expect(storedJob('7', ['name', 'N', 'timestamp', 'x', 'atm', '', 'attemptsMade', '2'])).toEqual({
      id: '7', name: 'N', dataJson: '{}', timestamp: 0, processedOn: null, finishedOn: null, attemptsMade: 2,
      failedReason: null, processedBy: null, repeatJobKey: null,
    });
    expect(storedJob('8', ['id', 'own', 'data', '[1]', 'processedOn', '12', 'dangling'])).toMatchObject({ id: 'own', dataJson: '[1]', processedOn: 12 });
  });
});
