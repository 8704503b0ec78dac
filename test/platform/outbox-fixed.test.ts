import { Worker } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { completeJobRows, removeJobInTx } from '../../src/platform/queue/outbox-fixed.js';
import { enqueueInTx, OutboxRelay } from '../../src/platform/queue/outbox.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { bullQueueName, outboxEpochKey } from '../../src/platform/redis/keys.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * Outbox rows with a fixed job id, a delay or a removal, driven by hand: an API-only app (no relay
 * of its own), a relay whose rounds the test runs, and a bare BullMQ worker that holds its job.
 */
let t: TestApp;
let relay: OutboxRelay;
let worker: Worker;
let workerRedis: RedisClient;
let release: () => void = () => undefined;
const seen: string[] = [];

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  relay = new OutboxRelay({ db: t.app.database.db, pool: t.app.database.pool, queues: t.app.queues, redis: t.app.redis, prefix: t.prefix, log: t.app.log, pollMs: 60_000, staleAfterMs: 1_000 });
  workerRedis = testRedis({ maxRetriesPerRequest: null });
  worker = new Worker(bullQueueName('blog-publish'), async (job) => {
    seen.push(job.id!);
    if (job.data.hold) await new Promise<void>((r) => { release = r; });
  }, { connection: workerRedis, prefix: t.prefix });
});
afterAll(async () => {
  release();
  await worker.close();
  workerRedis.disconnect();
  await t.close();
});

const queue = () => t.app.queues.get('blog-publish');
const add = (jobId: string, runAt: Date, payload: Record<string, unknown> = {}) =>
  t.app.database.db.transaction().execute((tx) => enqueueInTx(tx, 'blog-publish', 'BlogPublish', { postId: jobId, ...payload } as { postId: string }, { jobId, runAt }));
const rows = async (jobId: string) => (await sql<{ id: number; relayed: boolean; completed: boolean }>`
  SELECT id, relayed_at IS NOT NULL AS relayed, completed_at IS NOT NULL AS completed FROM outbox WHERE job_id = ${jobId} ORDER BY id`.execute(t.app.database.db)).rows;
const state = (jobId: string) => queue().getJobState(jobId);

describe('outbox rows with a fixed job id', () => {
  it('adds a delayed job under that id; a newer row moves it and supersedes the older one', async () => {
    const soon = new Date(Date.now() + 3_600_000);
    await add('fixed-a', soon);
    expect(await relay.relayOnce()).toBe(1);
    const job = await queue().getJob('fixed-a');
    expect(await job!.getState()).toBe('delayed');
    expect(Math.abs(job!.timestamp + job!.delay - soon.getTime())).toBeLessThan(1_000);
    const later = new Date(soon.getTime() + 3_600_000);
    await add('fixed-a', later);
    await add('fixed-a', new Date(later.getTime() + 1_000));
    expect(await relay.relayOnce()).toBe(2);
    const moved = await queue().getJob('fixed-a');
    expect(moved!.timestamp + moved!.delay - later.getTime()).toBeGreaterThan(500);
    expect((await rows('fixed-a')).map((r) => [r.relayed, r.completed])).toEqual([[true, true], [true, true], [true, false]]);
  });

  it('a removal removes the job and completes its rows', async () => {
    await t.app.database.db.transaction().execute((tx) => removeJobInTx(tx, 'blog-publish', 'fixed-a'));
    expect(await relay.relayOnce()).toBe(1);
    expect(await state('fixed-a')).toBe('unknown');
    expect((await rows('fixed-a')).every((r) => r.relayed && r.completed)).toBe(true);
  });

  it('cannot replace a running job: the new row waits for it to finish', async () => {
    await add('fixed-b', new Date(Date.now() - 1_000), { hold: true });
    await relay.relayOnce();
    expect(await waitFor(async () => (await state('fixed-b')) === 'active', 5_000)).toBe(true);
    const at = new Date(Date.now() + 3_600_000);
    await add('fixed-b', at);
    expect(await relay.relayOnce()).toBe(0);
    expect((await rows('fixed-b')).map((r) => r.relayed)).toEqual([true, false]);
    release();
    expect(await waitFor(async () => (await state('fixed-b')) === 'completed', 5_000)).toBe(true);
    expect(await relay.relayOnce()).toBe(1);
    expect(await state('fixed-b')).toBe('delayed');
    expect((await rows('fixed-b')).map((r) => [r.relayed, r.completed])).toEqual([[true, true], [true, false]]);
  });

  it('completing the work of an id finishes its rows, unrelayed ones too unless relayedOnly', async () => {
    await add('fixed-c', new Date(Date.now() + 3_600_000));
    await relay.relayOnce();
    await add('fixed-c', new Date(Date.now() + 7_200_000));
    expect(await completeJobRows(t.app.database.db, 'blog-publish', 'fixed-c', { relayedOnly: true })).toBe(1);
    expect((await rows('fixed-c')).map((r) => r.completed)).toEqual([true, false]);
    expect(await completeJobRows(t.app.database.db, 'blog-publish', 'fixed-c')).toBe(1);
    // Completed before it was relayed: the relay never turns it into a job.
    expect(await relay.relayOnce()).toBe(0);
  });
});

describe('re-driving fixed-id rows after Redis lost them', () => {
  it('re-adds every unfinished one when the epoch key is gone', async () => {
    const at = new Date(Date.now() + 3_600_000);
    await add('fixed-d', at);
    await relay.relayOnce();
    await queue().obliterate({ force: true });
    await t.app.redis.del(outboxEpochKey(t.prefix, 'blog-publish'));
    expect(await relay.redriveLost()).toBeGreaterThanOrEqual(1);
    await relay.relayOnce();
    expect(await state('fixed-d')).toBe('delayed');
    expect(await state('fixed-b')).toBe('delayed');
  });

  it('checks a delayed one for a missing job only once it is due (before that the reconciler watches it)', async () => {
    await queue().remove('fixed-d');
    const now = Date.now() + 10_000;
    expect(await relay.redriveLost(now)).toBe(0);
    await add('fixed-e', new Date(Date.now() - 5_000));
    await relay.relayOnce();
    expect(await waitFor(async () => seen.includes('fixed-e'), 5_000)).toBe(true);
    await queue().remove('fixed-e');
    expect(await relay.redriveLost(now + 1_000)).toBe(1);
    expect((await rows('fixed-e')).map((r) => r.relayed)).toEqual([false]);
  });
});
