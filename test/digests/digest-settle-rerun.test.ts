import type pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/env.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';

/**
 * Review of issue 21 (7deb4c9), unlucky schedules of a run's settle wait: the same period run
 * again while its digest is deferred, and Redis losing its data while it is. Each digest is sent
 * once, with the late row in it.
 */
let sink: SmtpSink;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t?.close();
  await sink.stop();
});

const at = (iso: string) => new Date(iso);

async function dailyUser() {
  const user = await t.app.services.users.createUser({ email: `rerun${++n}@settle.test`, password: 'password-123', role: 'CREATOR', name: `Rerun ${n}` });
  await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
  await t.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: at('2025-10-17T09:00:00Z') }).where('user_id', '=', user.id).execute();
  await t.app.database.db.insertInto('notifications')
    .values({ user_id: user.id, type: 'LICENSE', title: '[committed-early]', message: 'm', created_at: at('2025-10-18T07:00:00Z') }).execute();
  return user;
}

async function lateWriter(userId: string) {
  const tx: pg.PoolClient = await t.app.database.pool.connect();
  await tx.query('BEGIN');
  await tx.query(`INSERT INTO notifications (user_id, type, title, message, created_at) VALUES ($1, 'LICENSE', '[committed-late]', 'm', $2)`, [userId, at('2025-10-18T08:59:00Z')]);
  return { commit: async () => { await tx.query('COMMIT'); tx.release(); } };
}

async function adminRun(when: string) {
  const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: await t.admin(), body: { frequency: 'DAILY', at: when } });
  expect(res.status).toBe(202);
}

const waiting = (userId: string) => waitFor(async () => (await t.app.queues.get('notification-digest').getJobs(['delayed']))
  .some((j) => j.name === 'DigestSend' && j.data.users?.some((u: { userId: string }) => u.userId === userId)), 15_000, 50);

const appearances = (email: string) => ['[committed-early]', '[committed-late]'].map((title) => sink.mailbox(email).filter((m) => m.text.includes(title)).length);

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

describe('a deferred digest and unlucky schedules', () => {
  it('a re-run of the same period while the digest waits: one email, late row in it', { timeout: 120_000 }, async () => {
    const u = await dailyUser();
    const late = await lateWriter(u.id);
    try {
      await adminRun('2025-10-18T09:00:00.000Z');
      expect(await waiting(u.id)).toBe(true);
      await adminRun('2025-10-18T09:00:00.000Z');
      expect(sink.mailbox(u.email)).toHaveLength(0);
    } finally {
      await late.commit();
    }
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
    expect(await waitFor(async () => sink.mailbox(u.email).length >= 1, 15_000, 50)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
    expect(sink.mailbox(u.email)).toHaveLength(1);
    expect(appearances(u.email)).toEqual([1, 1]);
  });

  it('Redis loses its data while the digest waits: still sent once, late row in it', { timeout: 150_000 }, async () => {
    const u = await dailyUser();
    const late = await lateWriter(u.id);
    try {
      await adminRun('2025-10-18T09:00:00.000Z');
      expect(await waiting(u.id)).toBe(true);
      await flushRedis();
    } finally {
      await late.commit();
    }
    expect(await waitFor(async () => sink.mailbox(u.email).length >= 1, 120_000, 200)).toBe(true);
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
    expect(sink.mailbox(u.email)).toHaveLength(1);
    expect(appearances(u.email)).toEqual([1, 1]);
  });
});
