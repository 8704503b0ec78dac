import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../src/notifications/unsubscribe.token.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';

/**
 * Issue 16, point 11: preference updates never overwrite each other. Each race is forced: a
 * transaction of the test holds the preference row's lock while the requests pile up behind it in
 * a chosen order, then lets them go.
 */
let t: TestApp;
let sink: SmtpSink;
let secret: string;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, RATE_LIMIT_OVERRIDES: 'notifications.preferences.update=1000' });
  secret = (await t.app.database.db.selectFrom('app_settings').select('value').where('key', '=', 'session_secret').executeTakeFirstOrThrow()).value;
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

/** Statements of this database waiting for a lock (outside the holder's transaction: pg_stat_activity is cached per transaction). */
const lockWaiters = async () => Number((await t.app.database.pool.query(
  `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n);

/** Holds the user's preference row locked until `release`; `waitFor(n)` until n statements queue behind it. */
async function holdPreferences(userId: string) {
  const client = await t.app.database.pool.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM notification_preferences WHERE user_id = $1 FOR UPDATE', [userId]);
  return {
    queued: async (n: number) => expect(await waitFor(async () => (await lockWaiters()) >= n, 10_000, 20)).toBe(true),
    release: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}

const prefs = (user: Session) => t.call('GET', '/api/notifications/preferences', { as: user }).then((r) => r.body.data);

describe('preference updates race', () => {
  it('a one-click unsubscribe racing PATCH {timezone} keeps both changes', async () => {
    const user = await t.user();
    await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { digestFrequency: 'DAILY' } });
    const token = createUnsubscribeToken(secret, user.user.id, new Date(Date.now() + 60_000));
    const lock = await holdPreferences(user.user.id);
    let unsubscribed: Promise<Response>;
    let patched: Promise<unknown>;
    try {
      // The unsubscribe is first in line, the time-zone change second: the old full-row upsert let
      // the second write back the emailEnabled: true it had read before the first committed.
      unsubscribed = fetch(`${t.url}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST' });
      await lock.queued(1);
      patched = t.call('PATCH', '/api/notifications/preferences', { as: user, body: { timezone: 'America/New_York' } });
      await lock.queued(2);
    } finally {
      await lock.release();
    }
    expect((await unsubscribed).status).toBe(200);
    await patched;
    expect(await prefs(user)).toMatchObject({ emailEnabled: false, timezone: 'America/New_York', digestFrequency: 'DAILY' });
  });

  it('the other order keeps both too: PATCH {timezone} first, then the unsubscribe', async () => {
    const user = await t.user();
    await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { enabledTypes: ['LICENSE'] } });
    const lock = await holdPreferences(user.user.id);
    let patched: Promise<unknown>;
    let unsubscribed: Promise<unknown>;
    try {
      patched = t.call('PATCH', '/api/notifications/preferences', { as: user, body: { timezone: 'Asia/Tokyo' } });
      await lock.queued(1);
      unsubscribed = t.app.services.notifications.unsubscribeEmail(user.user.id);
      await lock.queued(2);
    } finally {
      await lock.release();
    }
    await Promise.all([patched, unsubscribed]);
    expect(await prefs(user)).toMatchObject({ emailEnabled: false, timezone: 'Asia/Tokyo', enabledTypes: ['LICENSE'] });
  });

  it('two concurrent DAILY → IMMEDIATE switches flush the pending digest once', async () => {
    const user = await t.user();
    await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { digestFrequency: 'DAILY' } });
    await t.app.database.db.insertInto('notifications').values({ user_id: user.user.id, type: 'LICENSE', title: 'Pending at the switch', message: 'm', created_at: new Date(Date.now() - 60_000) }).execute();
    const lock = await holdPreferences(user.user.id);
    const switches: Array<Promise<{ status: number }>> = [];
    try {
      for (let i = 1; i <= 2; i++) {
        switches.push(t.call('PATCH', '/api/notifications/preferences', { as: user, body: { digestFrequency: 'IMMEDIATE' } }));
        await lock.queued(i);
      }
    } finally {
      await lock.release();
    }
    expect((await Promise.all(switches)).map((r) => r.status)).toEqual([200, 200]);
    const flushes = await t.app.database.pool.query(`SELECT 1 FROM outbox WHERE job_name = 'DigestSend' AND payload->>'flush' = 'true'
      AND payload->'users'->0->>'userId' = $1`, [user.user.id]);
    expect(flushes.rowCount).toBe(1);
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
    const mails = sink.mailbox(user.user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Pending at the switch');
  });
});
