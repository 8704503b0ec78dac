import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, ids, list, nextChange, nextEvent, seed } from './inbox-fixtures.js';

// Review of issue 17, resource abuse: each snooze wrote a new delayed wake job (and an outbox row
// left open until it ran, up to 90 days later). Re-snoozing one notification at the rate limit
// (100 a minute) piled up 144,000 dead jobs a day per user in Redis and in the outbox, each one
// relayed again after a Redis flush. A notification has at most one wake-up waiting: the newest.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const DAY = 86_400_000;

const openWakeRows = async (id: string) => (await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM outbox WHERE job_name = 'NotificationWake' AND payload->>'id' = ${id} AND completed_at IS NULL`.execute(t.app.database.db)).rows[0]!.n;
const unrelayed = async () => (await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM outbox WHERE job_name = 'NotificationWake' AND relayed_at IS NULL`.execute(t.app.database.db)).rows[0]!.n;
const delayedWakes = async (id: string) => (await t.app.queues.get('notification-inbox').getJobs(['delayed', 'waiting', 'prioritized']))
  .filter((job) => job.name === 'NotificationWake' && (job.data as { id: string }).id === id);

describe('re-snoozing one notification', () => {
  it('leaves one wake-up waiting (the newest), not one per snooze', async () => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id);
    const untils = Array.from({ length: 20 }, (_, i) => new Date(Date.now() + DAY + i * 60_000).toISOString());
    for (const until of untils) expect((await act(t, user, id!, 'snooze', { until })).status).toBe(200);
    expect(await waitFor(async () => (await unrelayed()) === 0, 10_000)).toBe(true);
    const jobs = await delayedWakes(id!);
    expect(jobs.map((job) => (job.data as { until: string }).until)).toEqual([untils.at(-1)]);
    expect(await openWakeRows(id!)).toBe(1);
  });

  it('the newest snooze still wakes it, at its own time, and a stream hears that wake once', async () => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id);
    const stream = await SseClient.open(t.url, user);
    try {
      await nextEvent(stream);
      const first = new Date(Date.now() + 60_000).toISOString();
      const second = new Date(Date.now() + 2_000).toISOString(); // earlier than the first
      expect((await act(t, user, id!, 'snooze', { until: first })).status).toBe(200);
      expect((await act(t, user, id!, 'snooze', { until: second })).status).toBe(200);
      expect((await nextChange(stream)).action).toBe('snooze');
      expect((await nextChange(stream)).action).toBe('snooze');
      const woke = await nextChange(stream, 15_000);
      expect(woke).toMatchObject({ action: 'wake', ids: [id] });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(second));
      expect(ids(await list(t, user))).toEqual([id]);
      expect(await waitFor(async () => (await openWakeRows(id!)) === 0, 10_000)).toBe(true);
      expect(await delayedWakes(id!)).toEqual([]);
    } finally {
      stream.close();
    }
  });
});
