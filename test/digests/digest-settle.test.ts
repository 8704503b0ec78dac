import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';

/**
 * A run's digests and the transactions begun before the run (DIGEST_SETTLE_MS). A digest's range
 * ends below every transaction still running, so a row whose transaction began before the 09:00
 * run and commits a moment after it (a fan-out page, a slow request, a partition made at boot)
 * used to wait for the next digest, a day or a week later. The run now notes the next transaction
 * id and its digests wait for every older transaction to end, up to DIGEST_SETTLE_MS; one still
 * open after that is left to the next digest, never lost and never sent twice.
 */
let sink: SmtpSink;
let waits: TestApp;
let brief: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  [waits, brief] = await Promise.all([
    createTestApp({ SMTP_URL: sink.url }),
    createTestApp({ SMTP_URL: sink.url, DIGEST_SETTLE_MS: '1000' }),
  ]);
});
afterAll(async () => {
  await Promise.all([waits?.close(), brief?.close()]);
  await sink.stop();
});

const at = (iso: string) => new Date(iso);

async function dailyUser(t: TestApp) {
  const user = await t.app.services.users.createUser({ email: `settle${++n}@settle.test`, password: 'password-123', role: 'CREATOR', name: `Settle ${n}` });
  await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
  await t.app.database.db.updateTable('notification_preferences').set({ last_digest_sent_at: at('2025-10-17T09:00:00Z') }).where('user_id', '=', user.id).execute();
  await t.app.database.db.insertInto('notifications')
    .values({ user_id: user.id, type: 'LICENSE', title: '[committed-early]', message: 'm', created_at: at('2025-10-18T07:00:00Z') }).execute();
  return user;
}

/** A fan-out page begun at 08:59 that is still writing when the 09:00 run reads: open until `commit`. */
async function lateWriter(t: TestApp, userId: string) {
  const tx: pg.PoolClient = await t.app.database.pool.connect();
  await tx.query('BEGIN');
  await tx.query(`INSERT INTO notifications (user_id, type, title, message, created_at) VALUES ($1, 'LICENSE', '[committed-late]', 'm', $2)`, [userId, at('2025-10-18T08:59:00Z')]);
  return {
    commit: async () => {
      await tx.query('COMMIT');
      tx.release();
    },
  };
}

/** As an admin would: POST /api/admin/jobs/digests/run { frequency, at }. */
async function adminRun(t: TestApp, when: string) {
  const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: await t.admin(), body: { frequency: 'DAILY', at: when } });
  expect(res.status).toBe(202);
}

async function digestsDone(t: TestApp) {
  expect(await outboxDrained(t.app)).toBe(true);
  expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
}

/** The user's DigestSend, deferred (delayed) while it waits for the older transaction. */
const waiting = (t: TestApp, userId: string) => waitFor(async () => (await t.app.queues.get('notification-digest').getJobs(['delayed']))
  .some((j) => j.name === 'DigestSend' && j.data.users?.some((u: { userId: string }) => u.userId === userId)), 15_000, 50);

const appearances = (email: string) => ['[committed-early]', '[committed-late]'].map((title) => sink.mailbox(email).filter((m) => m.text.includes(title)).length);

describe('a run\'s digest and a transaction begun before the run', () => {
  it('waits for it: the row it commits a moment after the run is in this digest, and in no other', async () => {
    const u = await dailyUser(waits);
    const late = await lateWriter(waits, u.id);
    try {
      await adminRun(waits, '2025-10-18T09:00:00.000Z');
      // The digest has read a horizon below the open transaction and waits (no attempt used).
      expect(await waiting(waits, u.id)).toBe(true);
      expect(sink.mailbox(u.email)).toHaveLength(0);
    } finally {
      await late.commit();
    }
    await digestsDone(waits);
    expect(appearances(u.email)).toEqual([1, 1]);
    expect(sink.mailbox(u.email)[0]!.subject).toBe('Your daily digest: 2 new notifications');
    await adminRun(waits, '2025-10-19T09:00:00.000Z');
    await digestsDone(waits);
    expect(appearances(u.email)).toEqual([1, 1]);
  });

  it('waits DIGEST_SETTLE_MS at most: one still open then is in the next digest, once', async () => {
    const u = await dailyUser(brief);
    const late = await lateWriter(brief, u.id);
    try {
      await adminRun(brief, '2025-10-18T09:00:00.000Z');
      // Sent after the wait with what had committed, the open transaction still open.
      await digestsDone(brief);
      expect(appearances(u.email)).toEqual([1, 0]);
    } finally {
      await late.commit();
    }
    await adminRun(brief, '2025-10-19T09:00:00.000Z');
    await digestsDone(brief);
    expect(appearances(u.email)).toEqual([1, 1]);
  });
});
