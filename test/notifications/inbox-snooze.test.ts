import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wakeJobId } from '../../src/notifications/inbox.service.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, counts, ids, list, nextChange, nextEvent, seed } from './inbox-fixtures.js';

// Issue 17's snooze through HTTP with real workers: validation, hiding, the wake at `until` heard by
// open streams, unsnooze, and a re-snooze whose first wake-up is replaced by the second.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const snooze = (user: Session, id: string, until: unknown) => act(t, user, id, 'snooze', { until });

/** The wake job of a snooze (by its `until`): its outbox row and, once relayed, its BullMQ job. */
async function wakeJob(id: string, until: string) {
  const { rows: [row] } = await sql<{ id: number; completed_at: Date | null }>`
    SELECT id, completed_at FROM outbox WHERE job_name = 'NotificationWake' AND payload->>'id' = ${id} AND payload->>'until' = ${until}`.execute(t.app.database.db);
  if (!row) throw new Error(`no wake job for ${id} at ${until}`);
  // One wake job per notification (a fixed id): the job of the newest snooze.
  const job = await t.app.queues.get('notification-inbox').getJob(wakeJobId(id));
  return { row, job };
}

describe('POST /api/notifications/:id/snooze: validation', () => {
  it.each([
    ['in the past', () => new Date(Date.now() - 60_000).toISOString()],
    ['now-ish (not in the future)', () => new Date(Date.now() - 1).toISOString()],
    ['more than 90 days ahead', () => new Date(Date.now() + 90 * DAY + 60_000).toISOString()],
    ['not an instant', () => 'tomorrow'],
    ['a date without a time', () => '2099-01-01'],
    ['a local time without an offset', () => '2099-01-01T09:00:00'],
    ['a number', () => Date.now() + 60_000],
    ['missing', () => undefined],
  ])('until %s is 400 naming until', async (_label, until) => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id);
    const res = await snooze(user, id!, until());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: [expect.objectContaining({ path: ['until'] })] });
    expect((await list(t, user)).total).toBe(1);
  });

  it('90 days ahead (just within) is accepted; another user\'s or a malformed id is 404', async () => {
    const [user, other] = await Promise.all([t.user(), t.user()]);
    const [id] = await seed(t, user.user.id);
    const [theirs] = await seed(t, other.user.id);
    const until = new Date(Date.now() + 90 * DAY - 60_000).toISOString();
    expect((await snooze(user, id!, until)).status).toBe(200);
    for (const bad of [theirs!, 'nope']) expect((await snooze(user, bad, until)).status).toBe(404);
    expect((await list(t, other)).items[0]).toMatchObject({ id: theirs, snoozedUntil: null });
  });
});

describe('snooze and wake', () => {
  it('hides at once, comes back at `until` unread and unseen at the top of its band, and open streams hear the wake', async () => {
    const user = await t.user();
    const [old] = await seed(t, user.user.id, 1, { createdAt: new Date(Date.now() - DAY), title: 'Snoozed' });
    // The stream opens before the read: its change is published after the answer (and, on a Redis
    // Cluster, relayed between nodes), so a stream opened after it could still hear it first.
    const stream = await SseClient.open(t.url, user);
    try {
      expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 1, unseen: 1 } });
      await act(t, user, old!, 'read');
      expect(await nextChange(stream)).toEqual({ action: 'read', ids: [old] });
      expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 0, unseen: 0 } });
      const until = new Date(Date.now() + 1_500).toISOString();
      const res = await snooze(user, old!, until);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: old, snoozedUntil: until, read: false, readAt: null, seen: false, seenAt: null });
      expect(await nextChange(stream)).toEqual({ action: 'snooze', ids: [old], notifications: [res.body.data] });
      expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 0, unseen: 0 } });
      // Hidden from every list and count at once, though unread.
      expect((await list(t, user, 'archived=all')).total).toBe(0);
      expect(await counts(t, user, true)).toMatchObject({ count: 0, unseen: 0, byType: expect.objectContaining({ SYSTEM: 0 }) });

      // Newer ones of the same band (and of others) arrive while it sleeps.
      const [newer] = await seed(t, user.user.id, 1, { title: 'Newer' });
      const [urgent] = await seed(t, user.user.id, 1, { priority: 'URGENT' });
      const [low] = await seed(t, user.user.id, 1, { priority: 'LOW' });

      const woke = await nextChange(stream, 15_000);
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
      expect(woke).toEqual({ action: 'wake', ids: [old], notifications: [expect.objectContaining({ id: old, read: false, seen: false, snoozedUntil: null })] });
      // Then the new count, with it in.
      expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 4, unseen: 4 } });
      expect(ids(await list(t, user))).toEqual([urgent, old, newer, low]);
      expect(await counts(t, user)).toEqual({ count: 4, unseen: 4 });
    } finally {
      stream.close();
    }
  });

  it('unsnooze brings it back now, at the top of its band; a second unsnooze changes nothing', async () => {
    const user = await t.user();
    const [a] = await seed(t, user.user.id, 1, { createdAt: new Date(Date.now() - DAY) });
    const [b] = await seed(t, user.user.id, 1);
    await snooze(user, a!, new Date(Date.now() + DAY).toISOString());
    expect(ids(await list(t, user))).toEqual([b]);
    const res = await act(t, user, a!, 'unsnooze');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: a, snoozedUntil: null, read: false, seen: false });
    expect(ids(await list(t, user))).toEqual([a, b]);
    expect(await counts(t, user)).toEqual({ count: 2, unseen: 2 });
    const again = await act(t, user, a!, 'unsnooze');
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(res.body.data);
    // Its wake job, when it comes, finds nothing to wake (its `until` is no longer the row's).
  });

  it('a re-snooze to a later time: the first wake-up is replaced (nothing at the first time), the second wakes it', async () => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id);
    const stream = await SseClient.open(t.url, user);
    try {
      await nextEvent(stream);
      const first = new Date(Date.now() + 2_000).toISOString();
      const second = new Date(Date.now() + 8_000).toISOString(); // well after the first, even on a loaded machine
      expect((await snooze(user, id!, first)).status).toBe(200);
      expect((await snooze(user, id!, second)).status).toBe(200);
      expect((await nextChange(stream)).notifications![0]!.snoozedUntil).toBe(first);
      expect((await nextChange(stream)).notifications![0]!.snoozedUntil).toBe(second);
      // The first wake-up is superseded (its row done, never a job of its own to run); the job waits for the second.
      expect(await waitFor(async () => (await wakeJob(id!, first)).row.completed_at !== null, 15_000)).toBe(true);
      expect(await waitFor(async () => ((await wakeJob(id!, second)).job?.data as { until?: string } | undefined)?.until === second, 15_000)).toBe(true);
      // Past the first instant: nothing happened, still hidden.
      expect(await waitFor(async () => Date.now() > Date.parse(first) + 500, 5_000)).toBe(true);
      expect(Date.now()).toBeLessThan(Date.parse(second)); // else the next checks prove nothing
      expect((await list(t, user)).total).toBe(0);
      expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
      expect(stream.events().filter((f) => f.event === 'notifications-changed')).toHaveLength(2);

      const woke = await nextChange(stream, 15_000);
      expect(woke).toMatchObject({ action: 'wake', ids: [id] });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(second));
      expect(await waitFor(async () => (await wakeJob(id!, second)).row.completed_at !== null, 15_000)).toBe(true);
      expect((await wakeJob(id!, second)).job?.returnvalue).toEqual({ woken: true });
      expect(ids(await list(t, user))).toEqual([id]);
    } finally {
      stream.close();
    }
  });

  it('snoozing a read notification makes it unread but counts it nowhere until it is back', async () => {
    const user = await t.user();
    const [a, b] = await seed(t, user.user.id, 2, { read: true });
    await snooze(user, a!, new Date(Date.now() + DAY).toISOString());
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    expect(ids(await list(t, user, 'read=false'))).toEqual([]);
    expect(ids(await list(t, user, 'read=true'))).toEqual([b]);
    // read-all leaves a snoozed one for its wake-up (it comes back unread, as promised).
    expect((await t.call('POST', '/api/notifications/read-all', { as: user })).body.data).toEqual({ count: 0 });
    await act(t, user, a!, 'unsnooze');
    expect(await counts(t, user)).toEqual({ count: 1, unseen: 1 });
  });
});
