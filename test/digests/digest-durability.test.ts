import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { Redis } from 'ioredis';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/env.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * Issue 16, point 9 (digests): a digest run's sends, and an admin's run itself, are outbox rows:
 * Redis losing its data between the run and the sends loses no digest.
 */
let sink: SmtpSink;
let t: TestApp;
let worker: App | null = null;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  // Relays the outbox (every worker does) but works only on delivery: digest jobs wait in Redis.
  t = await createTestApp({ SMTP_URL: sink.url }, { roles: ['api', 'worker'], queues: ['notification-delivery'] });
});
afterAll(async () => {
  await worker?.stop();
  await t.close();
  await sink.stop();
});

const RUN = new Date('2025-10-18T09:00:00.000Z');

async function dailyUsers(count: number) {
  const users = [];
  for (let i = 0; i < count; i++) {
    const user = await t.app.services.users.createUser({ email: `flush${++n}@durable.test`, password: 'password-123', role: 'CREATOR', name: `Flush ${n}` });
    await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
    await t.app.database.db.insertInto('notifications').values({ user_id: user.id, type: 'LICENSE', title: `For ${user.email}`, message: 'm', created_at: new Date(RUN.getTime() - 3_600_000) }).execute();
    users.push(user);
  }
  return users;
}

/**
 * FLUSHALL of this test's prefix, atomically (one Lua script) as FLUSHALL is: a key-by-key delete
 * races the running relay, which re-adds jobs mid-way and then loses half of them (a case the
 * relay's stale check heals only after minutes).
 */
async function flushRedis() {
  const redis = new Redis(REDIS_URL);
  try {
    await redis.eval(`local keys = redis.call('KEYS', ARGV[1])
      for i = 1, #keys, 500 do redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys))) end
      return #keys`, 0, `${t.prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

const waitingDigestJobs = async () => {
  const counts = await t.app.queues.get('notification-digest').getJobCounts('waiting', 'prioritized', 'delayed');
  return counts.waiting! + counts.prioritized! + counts.delayed!;
};

describe('digests survive Redis losing its data', () => {
  it('a run whose sends are in Redis when it is flushed still sends every digest; so does an admin run', { timeout: 150_000 }, async () => {
    const users = await dailyUsers(3);
    await t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt: RUN, trigger: 'schedule' });
    // The sends reached Redis, and nothing works on them yet: now Redis loses everything.
    await expect.poll(waitingDigestJobs).toBeGreaterThan(0);
    await flushRedis();
    expect(await waitingDigestJobs()).toBe(0);

    const admin = await t.admin();
    const later = await dailyUsers(1);
    // The same instant: the first run's users find their period's content (or its email) and get one digest.
    const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'DAILY', at: RUN.toISOString() } });
    expect(res.status).toBe(202);
    await expect.poll(waitingDigestJobs).toBeGreaterThan(0);
    await flushRedis();

    worker = await t.sibling({ roles: ['worker'], queues: ['notification-digest'] });
    for (const u of [...users, ...later]) await expect.poll(() => sink.mailbox(u.email).length, { timeout: 30_000 }).toBe(1);
    // Every email is in by now; in two full CI runs a row was still open after 30 s (which one is not
    // yet known: see the closing note of 2026-12-06). 90 s, as the delivery drills allow.
    expect(await outboxDrained(t.app, 90_000)).toBe(true);
    expect(await t.app.database.db.selectFrom('outbox').select('id').where('failed_at', 'is not', null).execute()).toEqual([]);
  });
});
