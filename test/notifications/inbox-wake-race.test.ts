import type { Job } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { notificationInboxJobs } from '../../src/notifications/inbox.job.js';
import { wakeJobId } from '../../src/notifications/inbox.service.js';
import type { NotificationsRepository } from '../../src/notifications/notifications.repository.js';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { outboxDrained } from '../helpers/wait.js';
import { act, counts, list, nextChange, nextEvent, seed, type Change } from './inbox-fixtures.js';

// Issue 17, "races between a snooze wake-up and a delete": whatever the order, no error, no
// resurrection (in the list or on a stream), and no wake told after the delete was.

let t: TestApp;
beforeAll(async () => {
  // API only: each test decides when (and whether) a worker runs the wake-ups.
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(() => t.close());

/** Snoozes one new notification of a user with an open stream for `ms`; the stream has heard it. */
async function snoozed(user: Session, ms: number) {
  const [id] = await seed(t, user.user.id);
  const stream = await SseClient.open(t.url, user);
  await nextEvent(stream);
  const until = new Date(Date.now() + ms).toISOString();
  expect((await act(t, user, id!, 'snooze', { until })).status).toBe(200);
  expect(await nextChange(stream)).toMatchObject({ action: 'snooze', ids: [id] });
  return { id: id!, until, stream };
}

/** What the stream said about these ids since the snooze, in order. */
const told = (stream: SseClient, ids: readonly string[]) => stream.events()
  .filter((f) => f.event === 'notifications-changed').map((f) => JSON.parse(f.data!) as Change)
  .filter((c) => c.action !== 'snooze' && c.ids.some((id) => ids.includes(id)));

describe('a snooze wake-up against a delete', () => {
  it('deleted after `until`, before its wake job ran: the job does nothing and no stream hears a wake', async () => {
    const user = await t.user();
    const { id, until, stream } = await snoozed(user, 2_000);
    let worker: App | null = null;
    try {
      expect(await waitFor(async () => Date.now() > Date.parse(until), 5_000)).toBe(true);
      expect((await list(t, user)).total).toBe(1); // back by itself
      expect((await t.call('DELETE', `/api/notifications/${id}`, { as: user })).status).toBe(200);
      worker = await t.sibling({ roles: ['worker'] });
      expect(await outboxDrained(t.app)).toBe(true); // throws if the job failed
      const job = await t.app.queues.get('notification-inbox').getJob(wakeJobId(id));
      expect(job?.returnvalue).toEqual({ woken: false });
      expect(await nextChange(stream)).toEqual({ action: 'delete', ids: [id] });
      expect(told(stream, [id])).toEqual([{ action: 'delete', ids: [id] }]);
      expect((await list(t, user, 'archived=all')).total).toBe(0);
      expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    } finally {
      stream.close();
      await worker?.stop();
    }
  });

  it('the unlucky order: the wake job has found the row, and the delete lands before it tells the streams', async () => {
    const user = await t.user();
    const { id, until, stream } = await snoozed(user, 1_500);
    try {
      expect(await waitFor(async () => Date.now() > Date.parse(until), 5_000)).toBe(true);
      // The wake job as the worker builds it, its publish held at a gate: the moment the delete
      // could overtake it.
      let reached!: () => void;
      const atGate = new Promise<void>((resolve) => { reached = resolve; });
      let open!: () => void;
      const gate = new Promise<void>((resolve) => { open = resolve; });
      const jobs = notificationInboxJobs({
        notifications: t.app.services.inbox, repository: {} as NotificationsRepository, log: createLogger('silent'),
        stream: { publishChange: async (userId, change) => { reached(); await gate; await t.app.services.stream.publishChange(userId, change); } },
        retentionDays: 365, purgeBatch: 100, now: Date.now,
      });
      const wake = jobs.NotificationWake({ id, until }, {} as Job);
      await atGate;
      const deleted = t.call('DELETE', `/api/notifications/${id}`, { as: user });
      // Either the delete is done, or it waits for the wake's row lock: then let the wake tell.
      const waiting = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'delete from "notifications"%'`.execute(t.app.database.db)).rows[0]!.n > 0;
      let settled = false;
      void deleted.then(() => { settled = true; });
      expect(await waitFor(async () => settled || (await waiting()), 10_000, 10)).toBe(true);
      open();
      expect(await wake).toEqual({ woken: true });
      expect((await deleted).status).toBe(200);

      // Both are told; the delete is the last word.
      expect(await waitFor(async () => told(stream, [id]).length === 2, 10_000)).toBe(true);
      expect(told(stream, [id]).map((c) => c.action)).toEqual(['wake', 'delete']);
      expect((await list(t, user, 'archived=all')).total).toBe(0);
      expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    } finally {
      stream.close();
    }
  });

  it('a notification that expires while snoozed is not woken: no stream hears it back', async () => {
    const user = await t.user();
    const expiresAt = Date.now() + 3_500;
    const [id] = await seed(t, user.user.id, 1, { expiresAt: new Date(expiresAt) });
    const stream = await SseClient.open(t.url, user);
    let worker: App | null = null;
    try {
      await nextEvent(stream);
      const until = new Date(Date.now() + 1_500).toISOString();
      expect((await act(t, user, id!, 'snooze', { until })).status).toBe(200);
      expect(await nextChange(stream)).toMatchObject({ action: 'snooze', ids: [id] });
      // Both instants pass before any worker runs the wake-up.
      expect(await waitFor(async () => Date.now() > Math.max(Date.parse(until), expiresAt) + 100, 5_000)).toBe(true);
      worker = await t.sibling({ roles: ['worker'] });
      expect(await outboxDrained(t.app)).toBe(true);
      const job = await t.app.queues.get('notification-inbox').getJob(wakeJobId(id!));
      expect(job?.returnvalue).toEqual({ woken: false });
      expect(told(stream, [id!])).toEqual([]);
      expect((await list(t, user, 'archived=all')).total).toBe(0);
    } finally {
      stream.close();
      await worker?.stop();
    }
  });

  it('many wake-ups at once against deletes of half of them: no failure, and no wake told after a delete', async () => {
    const user = await t.user();
    const all = await seed(t, user.user.id, 40);
    const stream = await SseClient.open(t.url, user);
    const worker = await t.sibling({ roles: ['worker'] });
    try {
      await nextEvent(stream);
      // Three seconds from now, not from before the worker started (a slow start left it past).
      const until = new Date(Date.now() + 3_000).toISOString();
      const snoozes = await Promise.all(all.map((id) => act(t, user, id, 'snooze', { until })));
      expect(snoozes.map((r) => r.status)).toEqual(all.map(() => 200));
      const doomed = all.filter((_, i) => i % 2 === 0);
      expect(await waitFor(async () => Date.now() >= Date.parse(until), 10_000, 1)).toBe(true);
      const results = await Promise.all(doomed.map((id) => t.call('DELETE', `/api/notifications/${id}`, { as: user })));
      expect(results.map((r) => r.status)).toEqual(doomed.map(() => 200));
      expect(await outboxDrained(t.app)).toBe(true);
      // Every survivor was told awake; every deleted one, if told at all, before its delete.
      expect(await waitFor(async () => told(stream, all).filter((c) => c.action === 'wake').length >= all.length - doomed.length, 10_000)).toBe(true);
      for (const id of doomed) expect(told(stream, [id]).at(-1)?.action, id).toBe('delete');
      const back = (await list(t, user)).items.map((n) => n.id).sort();
      expect(back).toEqual(all.filter((id) => !doomed.includes(id)).sort());
      expect(await counts(t, user)).toEqual({ count: all.length - doomed.length, unseen: all.length - doomed.length });
    } finally {
      stream.close();
      await worker.stop();
    }
  });
});
