import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { wakeJobId } from '../../src/notifications/inbox.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import { startEmbeddedRedis } from '../../src/platform/redis/embedded.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, ids, list, nextChange, nextEvent, seed } from './inbox-fixtures.js';

// Issue 17: "a durable, scheduled mechanism that survives restarts and a Redis flush". The wake-up
// of a snooze is an outbox row with a run time: relayed as a delayed BullMQ job, and relayed again
// when Redis lost it (the relay's epoch key vanishes with a flush).

/** The delayed BullMQ job of a notification's wake-up, once the relay has put it in Redis. */
async function delayedWake(app: App, notificationId: string): Promise<string | null> {
  const { rows: [row] } = await sql<{ id: number; relayed_at: Date | null }>`
    SELECT id, relayed_at FROM outbox WHERE job_name = 'NotificationWake' AND payload->>'id' = ${notificationId}`.execute(app.database.db);
  if (!row?.relayed_at) return null;
  const job = await app.queues.get('notification-inbox').getJob(wakeJobId(notificationId));
  return job ? job.getState() : null;
}

describe('a snooze\'s wake-up is durable', () => {
  it('survives a Redis flush between the snooze and its end: the stream still hears the wake', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'herald-redis-'));
    const redis = await startEmbeddedRedis(dir, createLogger('silent'));
    let t: TestApp | null = null;
    const admin = new Redis(redis.url);
    try {
      t = await createTestApp({ REDIS_URL: redis.url });
      const user = await t.user();
      const [id] = await seed(t, user.user.id);
      const stream = await SseClient.open(t.url, user);
      try {
        await nextEvent(stream);
        const until = new Date(Date.now() + 6_000).toISOString(); // room for the flush and the re-relay before it
        expect((await act(t, user, id!, 'snooze', { until })).status).toBe(200);
        expect(await waitFor(async () => (await delayedWake(t!.app, id!)) === 'delayed', 10_000)).toBe(true);

        // A marker shows the flush happened; counting keys did not (the app's own processes write
        // theirs back at once: heartbeats, the schedules the keeper restores, and there are more of those now).
        await admin.set('herald-test-flush-marker', '1');
        await admin.flushall();
        expect(await admin.exists('herald-test-flush-marker')).toBe(0);
        // The relay notices the loss and puts the job back, still delayed to `until`.
        expect(await waitFor(async () => (await delayedWake(t!.app, id!)) === 'delayed', 10_000)).toBe(true);
        expect(Date.now()).toBeLessThan(Date.parse(until)); // else the flush was not between snooze and wake

        expect(await nextChange(stream, 20_000)).toMatchObject({ action: 'snooze', ids: [id] });
        const woke = await nextChange(stream, 20_000);
        expect(woke).toMatchObject({ action: 'wake', ids: [id], notifications: [expect.objectContaining({ id, snoozedUntil: null })] });
        expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
        expect(ids(await list(t, user))).toEqual([id]);
      } finally {
        stream.close();
      }
    } finally {
      admin.disconnect();
      await t?.close();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('survives its worker\'s restart: back in the list at `until` with no worker at all, and the next worker tells the stream', async () => {
    const t = await createTestApp({}, { roles: ['api'] });
    let worker: App | null = await t.sibling({ roles: ['worker'] });
    try {
      const user = await t.user();
      const [id] = await seed(t, user.user.id);
      const stream = await SseClient.open(t.url, user);
      try {
        await nextEvent(stream);
        const until = new Date(Date.now() + 1_500).toISOString();
        expect((await act(t, user, id!, 'snooze', { until })).status).toBe(200);
        expect(await nextChange(stream)).toMatchObject({ action: 'snooze', ids: [id] });
        expect((await list(t, user)).total).toBe(0);
        expect(await waitFor(async () => (await delayedWake(t.app, id!)) === 'delayed', 10_000)).toBe(true);
        await worker.stop();
        worker = null;

        // No worker: the row is back by itself at `until` (no job needed for that)...
        expect(await waitFor(async () => (await list(t, user)).total === 1, 10_000)).toBe(true);
        expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
        expect(stream.events().filter((f) => f.event === 'notifications-changed')).toHaveLength(1);

        // ...and a worker started later runs the overdue wake-up: open streams hear it.
        worker = await t.sibling({ roles: ['worker'] });
        expect(await nextChange(stream, 20_000)).toMatchObject({ action: 'wake', ids: [id] });
        expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 1, unseen: 1 } });
      } finally {
        stream.close();
      }
    } finally {
      await worker?.stop();
      await t.close();
    }
  }, 60_000);
});
