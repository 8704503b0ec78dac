import fc from 'fast-check';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodKey, type DigestKind } from '../../src/digests/digest.time.js';
import { DigestsRepository } from '../../src/digests/digests.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { horizonPast, outboxDrained, queueIdle } from '../helpers/wait.js';

/**
 * Issue 16, points 7 and 8: every notification a DAILY/WEEKLY user should get by email is in
 * exactly one digest, whatever runs, re-runs, retries, time-zone changes, frequency switches and
 * late commits happen.
 */
let sink: SmtpSink;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;
const at = (iso: string) => new Date(iso);

async function digestUser(frequency: DigestKind, last?: Date) {
  const user = await t.app.services.users.createUser({ email: `x${++n}@once.test`, password: 'password-123', role: 'CREATOR', name: `Once ${n}` });
  await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: frequency });
  if (last) await db().updateTable('notification_preferences').set({ last_digest_sent_at: last }).where('user_id', '=', user.id).execute();
  return user;
}

const item = (userId: string, createdAt: Date, title: string) =>
  db().insertInto('notifications').values({ user_id: userId, type: 'LICENSE', title, message: 'm', created_at: createdAt }).execute();

async function digestsDone() {
  expect(await outboxDrained(t.app)).toBe(true);
  expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
}

/** As an admin would: POST /api/admin/jobs/digests/run { frequency, at }. */
async function adminRun(frequency: DigestKind, when: Date) {
  const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: await t.admin(), body: { frequency, at: when.toISOString() } });
  expect(res.status).toBe(202);
  await digestsDone();
}

/** As the schedule would, for one scope. */
async function scheduledRun(frequency: DigestKind, when: Date, scope: 'utc' | 'zoned') {
  await t.app.services.digests.run({ frequency, scope, runAt: when, trigger: 'schedule' });
  await digestsDone();
}

/** How many of the user's digest emails list each title. */
const appearances = (email: string, titles: readonly string[]) =>
  titles.map((title) => sink.mailbox(email).filter((m) => m.text.includes(title)).length);

describe('a re-run of a period never drops what arrived after its digest', () => {
  it('09:00 digest, a notification at 09:30, an admin re-run at 10:00: the 09:30 one is in the next day\'s digest', async () => {
    const u = await digestUser('DAILY', at('2025-10-17T09:00:00Z'));
    await item(u.id, at('2025-10-18T08:00:00Z'), '[before-nine]');
    await adminRun('DAILY', at('2025-10-18T09:00:00Z'));
    await item(u.id, at('2025-10-18T09:30:00Z'), '[half-past-nine]');
    await adminRun('DAILY', at('2025-10-18T10:00:00Z')); // same period: already sent
    expect(sink.mailbox(u.email)).toHaveLength(1);
    await adminRun('DAILY', at('2025-10-19T09:00:00Z'));
    expect(sink.mailbox(u.email)).toHaveLength(2);
    expect(appearances(u.email, ['[before-nine]', '[half-past-nine]'])).toEqual([1, 1]);
    expect(sink.mailbox(u.email)[1]!.text).toContain('[half-past-nine]');
  });

  it('a time-zone change the same day: the zoned run of the same local date sends nothing and drops nothing', async () => {
    const u = await digestUser('DAILY', at('2025-10-17T09:00:00Z'));
    await item(u.id, at('2025-10-18T08:00:00Z'), '[utc-morning]');
    await scheduledRun('DAILY', at('2025-10-18T09:00:00Z'), 'utc');
    await item(u.id, at('2025-10-18T11:00:00Z'), '[after-utc-digest]');
    await t.app.services.notifications.updatePreferences(u.id, { timezone: 'America/New_York' });
    await scheduledRun('DAILY', at('2025-10-18T13:00:00Z'), 'zoned'); // 09:00 in New York, still the 18th there
    expect(sink.mailbox(u.email)).toHaveLength(1);
    await scheduledRun('DAILY', at('2025-10-19T13:00:00Z'), 'zoned');
    expect(appearances(u.email, ['[utc-morning]', '[after-utc-digest]'])).toEqual([1, 1]);
  });

  it('a mid-week manual WEEKLY run: what arrived since Monday waits for next Monday', async () => {
    const u = await digestUser('WEEKLY', at('2025-10-13T09:00:00Z'));
    await item(u.id, at('2025-10-19T10:00:00Z'), '[last-week]');
    await adminRun('WEEKLY', at('2025-10-20T09:00:00Z'));
    await item(u.id, at('2025-10-21T10:00:00Z'), '[tuesday]');
    await adminRun('WEEKLY', at('2025-10-22T12:00:00Z')); // Wednesday, same ISO week
    expect(sink.mailbox(u.email)).toHaveLength(1);
    await adminRun('WEEKLY', at('2025-10-27T09:00:00Z'));
    expect(appearances(u.email, ['[last-week]', '[tuesday]'])).toEqual([1, 1]);
  });

  it('frequency switches back and forth within a day lose nothing and repeat nothing', async () => {
    const u = await digestUser('DAILY', at('2025-10-19T09:00:00Z'));
    await item(u.id, at('2025-10-20T08:00:00Z'), '[monday-early]');
    await adminRun('DAILY', at('2025-10-20T09:00:00Z'));
    await item(u.id, at('2025-10-20T09:30:00Z'), '[while-daily]');
    await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'WEEKLY' });
    await adminRun('WEEKLY', at('2025-10-20T10:00:00Z'));
    await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
    await item(u.id, at('2025-10-20T10:30:00Z'), '[daily-again]');
    await adminRun('DAILY', at('2025-10-20T11:00:00Z')); // the Monday's daily digest went out at 09:00
    await adminRun('DAILY', at('2025-10-21T09:00:00Z'));
    expect(appearances(u.email, ['[monday-early]', '[while-daily]', '[daily-again]'])).toEqual([1, 1, 1]);
  });
});

// Late commits against a run's digest (DIGEST_SETTLE_MS): digest-settle.test.ts.

type Action =
  | { kind: 'notify'; minutes: number }
  | { kind: 'late'; minutes: number }
  | { kind: 'run'; frequency: DigestKind; minutes: number }
  | { kind: 'retry' }
  | { kind: 'tz'; tz: string | null }
  | { kind: 'switch'; frequency: DigestKind };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('notify' as const), minutes: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ kind: fc.constant('late' as const), minutes: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ kind: fc.constant('run' as const), frequency: fc.constantFrom<DigestKind>('DAILY', 'WEEKLY'), minutes: fc.integer({ min: 0, max: 3 * 1440 }) }),
  fc.constant({ kind: 'retry' as const }),
  fc.record({ kind: fc.constant('tz' as const), tz: fc.constantFrom('America/New_York', 'Asia/Tokyo', 'Europe/Paris', null) }),
  fc.record({ kind: fc.constant('switch' as const), frequency: fc.constantFrom<DigestKind>('DAILY', 'WEEKLY') }),
);

describe('property: exactly one digest per notification', () => {
  it('over random runs, re-runs, retries, time-zone changes, switches and late commits', { timeout: 240_000 }, async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom<DigestKind>('DAILY', 'WEEKLY'), fc.array(action, { minLength: 1, maxLength: 14 }), async (start, actions) => {
      let clock = Date.parse('2025-10-18T06:00:00Z');
      // A user already on digests (a first digest reaches one period back at most, by design).
      const u = await digestUser(start, new Date(clock - 60_000));
      let tz: string | null = null;
      let last: Parameters<typeof t.app.services.digests.send>[0] | null = null;
      const titles: string[] = [];
      const open: pg.PoolClient[] = [];
      const send = async (job: NonNullable<typeof last>) => { last = job; await t.app.services.digests.send(job); };
      for (const a of actions) {
        const pending = open.splice(0);
        if (a.kind === 'notify' || a.kind === 'late') {
          clock += a.minutes * 60_000;
          const title = `[p${titles.length}]`;
          titles.push(title);
          if (a.kind === 'notify') await item(u.id, new Date(clock), title);
          else {
            // Begun now, committed after the next action (a digest may read in between).
            const tx = await t.app.database.pool.connect();
            await tx.query('BEGIN');
            await tx.query(`INSERT INTO notifications (user_id, type, title, message, created_at) VALUES ($1, 'LICENSE', $2, 'm', $3)`, [u.id, title, new Date(clock)]);
            open.push(tx);
          }
        } else if (a.kind === 'run') {
          clock += a.minutes * 60_000;
          const runAt = new Date(clock);
          await send({ runId: null, frequency: a.frequency, runAt: runAt.toISOString(), users: [{ userId: u.id, periodKey: periodKey(a.frequency, runAt, tz ?? 'UTC') }] });
        } else if (a.kind === 'retry') {
          if (last) await send(last);
        } else if (a.kind === 'tz') {
          tz = a.tz;
          await t.app.services.notifications.updatePreferences(u.id, { timezone: tz });
        } else {
          await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: a.frequency });
        }
        for (const tx of pending) {
          await tx.query('COMMIT');
          tx.release();
        }
      }
      for (const tx of open) {
        await tx.query('COMMIT');
        tx.release();
      }
      // Later digests (fresh periods) until everything due has gone out: none may repeat an item.
      await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
      for (let day = 1; day <= 5 && appearances(u.email, titles).some((c) => c === 0); day++) {
        const runAt = new Date(clock + day * 86_400_000);
        await send({ runId: null, frequency: 'DAILY', runAt: runAt.toISOString(), users: [{ userId: u.id, periodKey: `final-${day}` }] });
      }
      expect(appearances(u.email, titles)).toEqual(titles.map(() => 1));
    }), { numRuns: 60 });
  });
});

/**
 * Interleavings of a DAILY → IMMEDIATE switch (found by the interleavings review of issue 16): the
 * switch's flush and the immediate path together email each notification exactly once.
 */
async function switchUser() {
  const user = await t.app.services.users.createUser({ email: `s${++n}@once.test`, password: 'password-123', role: 'CREATOR', name: `Switch ${n}` });
  await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
  await t.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: new Date(Date.now() - 3_600_000) }).where('user_id', '=', user.id).execute();
  return user;
}

async function allSettled() {
  expect(await outboxDrained(t.app)).toBe(true);
  expect(await queueIdle(t.app, 'notification-delivery')).toBe(true);
  expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
}

const mentions = (email: string, title: string) => sink.mailbox(email).filter((m) => m.text.includes(title) || m.subject.includes(title)).length;

describe('DAILY → IMMEDIATE switch', () => {
  it('a notification skipped for the digest while an older transaction is open is still emailed once (flush or later)', async () => {
    const u = await switchUser();
    // Any older transaction of this database with an id, still open (a fan-out page, a slow request).
    const old: pg.PoolClient = await t.app.database.pool.connect();
    try {
      await old.query('BEGIN');
      await old.query('SELECT pg_current_xact_id()');
      await t.app.services.notifications.notify({ userIds: [u.id], type: 'LICENSE', title: '[skipped-for-digest]', message: 'm' });
      await allSettled(); // delivered: the user is DAILY, no email now
      expect(mentions(u.email, '[skipped-for-digest]')).toBe(0);
      await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'IMMEDIATE' });
      // The switch's flush runs while the older transaction is still open (it read a horizon below
      // the notification: before the fix, the flush sent nothing and moved past it).
      // It has run once it waits for that transaction: deferred (delayed), no attempt used.
      const digestQueue = t.app.queues.get('notification-digest');
      expect(await waitFor(async () => (await digestQueue.getJobs(['delayed'])).some((j) => j.data.flush === true && j.data.users?.[0]?.userId === u.id), 15_000, 50)).toBe(true);
      await old.query('COMMIT');
    } finally {
      old.release();
    }
    await allSettled();
    expect(mentions(u.email, '[skipped-for-digest]')).toBe(1);
    // Now IMMEDIATE: the next one is emailed on its own, and nothing repeats.
    await t.app.services.notifications.notify({ userIds: [u.id], type: 'LICENSE', title: '[after-switch]', message: 'm' });
    await allSettled();
    expect([mentions(u.email, '[skipped-for-digest]'), mentions(u.email, '[after-switch]')]).toEqual([1, 1]);
  });
});

describe('DAILY → IMMEDIATE switch, the flush against the immediate path', () => {
  // No delivery or digest worker: the test runs the delivery job and the switch's flush itself.
  let slow: SmtpSink;
  let s: TestApp;
  beforeAll(async () => {
    slow = await new SmtpSink().start();
    s = await createTestApp({ SMTP_URL: slow.url }, { queues: ['notification-fanout'] });
  });
  afterAll(async () => {
    await s.close();
    await slow.stop();
  });

  const user = async () => {
    const u = await s.app.services.users.createUser({ email: `f${++n}@once.test`, password: 'password-123', role: 'CREATOR', name: `Flush ${n}` });
    await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
    await s.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: new Date(Date.now() - 3_600_000) }).where('user_id', '=', u.id).execute();
    return u;
  };
  const lastFlush = async () => {
    const row = await s.app.database.db.selectFrom('outbox').select('payload').where('job_name', '=', 'DigestSend').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Parameters<typeof s.app.services.digests.send>[0];
  };
  const idOf = async (userId: string, title: string) =>
    (await s.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', userId).where('title', '=', title).executeTakeFirstOrThrow()).id;
  const count = (email: string, title: string) => slow.mailbox(email).filter((m) => m.text.includes(title) || m.subject.includes(title)).length;

  it('a notification committed before the switch whose delivery job runs after the flush is emailed once', async () => {
    const u = await user();
    await s.app.services.notifications.notify({ userIds: [u.id], type: 'LICENSE', title: '[late-delivery]', message: 'm' });
    await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'IMMEDIATE' });
    // The delivery queue is behind (a large fan-out): the flush runs first and sends it in its digest…
    const flush = await lastFlush();
    expect(await horizonPast(s.app, flush.until)).toBe(true);
    await s.app.services.digests.send(flush);
    // …then its delivery job reads IMMEDIATE.
    await s.app.services.delivery.deliver([await idOf(u.id, '[late-delivery]')]);
    expect(count(u.email, '[late-delivery]')).toBe(1);
  });

  it('a notification in flight at the flush, delivered after a switch back to DAILY, is in the next digest', async () => {
    const u = await user();
    const open: pg.PoolClient = await s.app.database.pool.connect();
    let deferred = false;
    try {
      await open.query('BEGIN');
      await open.query(`INSERT INTO notifications (user_id, type, title, message) VALUES ($1, 'LICENSE', '[in-flight]', 'm')`, [u.id]);
      await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'IMMEDIATE' });
      // The flush job, as the worker runs it; it may wait (DeferUntilError) for the open transaction.
      await s.app.services.digests.send(await lastFlush()).catch((err: Error) => {
        if (err.name !== 'DeferUntilError') throw err;
        deferred = true;
      });
      await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
      await open.query('COMMIT');
    } finally {
      open.release();
    }
    await s.app.services.delivery.deliver([await idOf(u.id, '[in-flight]')]); // reads DAILY: left for the digest
    if (deferred) { // the deferred flush's next run, once the transactions it waits for have ended
      const flush = await lastFlush();
      expect(await horizonPast(s.app, flush.until)).toBe(true);
      await s.app.services.digests.send(flush);
    }
    const at = new Date(Date.now() + 86_400_000);
    await s.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: at.toISOString(), users: [{ userId: u.id, periodKey: periodKey('DAILY', at, 'UTC') }] });
    expect(count(u.email, '[in-flight]')).toBe(1);
  });
});

describe('DAILY → IMMEDIATE switch, the flush between the delivery job\'s decision and its email claim', () => {
  // One pooled connection on a slow server: an email already in hand-off holds it, so the delivery
  // job that decided to email a notification waits for a free connection, and the switch's flush
  // moves the cursor and reads its items in that gap (no worker runs; the test drives both jobs).
  let slow: SmtpSink;
  let s: TestApp;
  beforeAll(async () => {
    slow = await new SmtpSink({ delayMs: 1_500 }).start();
    s = await createTestApp({ SMTP_URL: slow.url, SMTP_POOL_SIZE: '1' }, { queues: ['notification-fanout'] });
  });
  afterAll(async () => {
    await s.close();
    await slow.stop();
  });

  /** A DAILY user with one notification committed, switched to IMMEDIATE: the notification and the switch's flush job. */
  async function switched(title: string) {
    const u = await s.app.services.users.createUser({ email: `g${++n}@once.test`, password: 'password-123', role: 'CREATOR', name: `Gap ${n}` });
    await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
    await s.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: new Date(Date.now() - 3_600_000) }).where('user_id', '=', u.id).execute();
    await s.app.services.notifications.notify({ userIds: [u.id], type: 'LICENSE', title, message: 'm' });
    const id = (await s.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', u.id).executeTakeFirstOrThrow()).id;
    await s.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'IMMEDIATE' });
    const row = await s.app.database.db.selectFrom('outbox').select('payload').where('job_name', '=', 'DigestSend').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const flush = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Parameters<typeof s.app.services.digests.send>[0];
    expect(flush.flush).toBe(true);
    // Driven by hand, the flush must not wait for another file's open transaction (ids are cluster-wide).
    expect(await horizonPast(s.app, flush.until)).toBe(true);
    return { u, id, flush, count: () => slow.mailbox(u.email).filter((m) => m.text.includes(title) || m.subject.includes(title)).length };
  }

  it('the job decided to email and waits for an SMTP connection while the flush reads: emailed once', { timeout: 30_000 }, async () => {
    const { u, id, flush, count } = await switched('[decided-before-flush]');
    const email = s.app.services.email;
    // Another email in hand-off holds the only connection.
    const busy = email.sendOnce({ key: `test:${u.id}:busy`, kind: 'notification', notificationId: null, userId: null, to: 'busy@once.test', subject: 'busy', html: '<p>busy</p>', text: 'busy', headers: {} });
    // The delivery job reads IMMEDIATE and decides to email; it signals when it asks for the send.
    const original = email.sendOnce.bind(email);
    let decided!: () => void;
    const asked = new Promise<void>((resolve) => { decided = resolve; });
    email.sendOnce = (m) => {
      if (m.notificationId === id) decided();
      return original(m);
    };
    try {
      const delivered = s.app.services.delivery.deliver([id]);
      await asked;
      // The flush runs while that send waits for the connection (before the fix: it read no claim,
      // put the row in its digest, and the job then emailed it on its own too).
      const flushed = s.app.services.digests.send(flush);
      await Promise.all([busy, delivered, flushed]);
    } finally {
      email.sendOnce = original;
    }
    expect(count()).toBe(1);
  });

  it('the flush locks the user and moves the cursor after the job decided on the old one: the job takes its reservation back', { timeout: 30_000 }, async () => {
    const { u, id, flush, count } = await switched('[flush-locked-first]');
    const db = s.app.database.db;
    // The flush's transaction, step by step: the user's row locked, then (once the delivery job is
    // waiting for that lock) the content fixed and the cursor moved.
    let delivered: ReturnType<typeof s.app.services.delivery.deliver> | null = null;
    await db.transaction().execute(async (tx) => {
      const repo = new DigestsRepository(tx);
      expect(await repo.lockTargets([u.id], flush.frequency, true)).toHaveLength(1);
      delivered = s.app.services.delivery.deliver([id]);
      const waiting = await waitFor(async () => (await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR SHARE%'`.execute(db)).rows[0]!.n > 0, 10_000, 20);
      expect(waiting).toBe(true);
      const horizon = await repo.rangeEnd(false);
      await repo.claimContents({ users: flush.users, frequency: flush.frequency, runAt: new Date(flush.runAt), spanMs: 86_400_000, horizon, ownerJob: null });
    });
    expect(await delivered!).toMatchObject({ skipped: 1, emailed: 0 });
    // The rest of the flush job: its digest is the notification's one email.
    await s.app.services.digests.send(flush);
    expect(count()).toBe(1);
    expect(await db.selectFrom('email_log').select('key').where('notification_id', '=', id).execute()).toEqual([]);
  });
});
