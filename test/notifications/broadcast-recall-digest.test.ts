import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

// Review of issue 19's recall (attacker/scheduler of races): a digest email already in hand-off
// that lists a notification of the batch must be waited for, whenever its content was fixed. The
// recall picked those digests by `digest_contents.created_at >= batch.created_at`, but created_at
// is the start of the digest's transaction (DEFAULT now()), not when its range was read: a
// DigestSend whose transaction began, then waited on the user's preference lock (lockTargets)
// while the batch was created and committed, reads its horizon after the batch's commit, so its
// content holds the batch's row with a created_at before the batch's (when the batch is dated
// before the run's runAt: an admin's run "as of" a later instant, or a worker's clock ahead of
// PostgreSQL's). The recall answered at once and the digest showing the recalled notification
// reached the server after the answer.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  // A slow server: a message is accepted 1.5 s after its DATA (the digest is in hand-off that long).
  sink = await new SmtpSink({ delayMs: 1_500 }).start();
  t = await createTestApp({ SMTP_URL: sink.url });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;
const lockWaiters = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db())).rows[0]!.n);

describe('recall vs a digest in hand-off whose transaction began before the batch', () => {
  it('waits for that digest: it reached the server before the recall answered, never after', async () => {
    const user = await t.app.services.users.createUser({ email: `digest-${randomUUID().slice(0, 8)}@recall.test`, password: 'password-123', role: 'CREATOR', name: 'Digest reader' });
    await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
    await db().updateTable('notification_preferences').set({ last_digest_sent_at: new Date(Date.now() - 86_400_000) }).where('user_id', '=', user.id).execute();
    const title = `Recalled in a digest ${randomUUID()}`;
    const periodKey = `review-${randomUUID().slice(0, 8)}`;

    // Someone holds the user's preference row (a delivery's reservation, a preference change).
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    let sending: Promise<Record<string, number> | { error: string }> | undefined;
    let batchId: string;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM notification_preferences WHERE user_id = $1 FOR UPDATE', [user.id]);
      // The digest's transaction begins and waits in lockTargets. Its run is "as if the clock read"
      // a minute ahead (POST /api/admin/jobs/digests/run takes any `at`; a worker whose clock runs
      // ahead of PostgreSQL's does the same by a little): the batch's row, dated before runAt, is
      // in its range once it reads the horizon after the batch's commit.
      sending = t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: new Date(Date.now() + 60_000).toISOString(), users: [{ userId: user.id, periodKey }] })
        .catch((err: Error) => ({ error: err.message }));
      expect(await waitFor(async () => (await lockWaiters()) >= 1, 10_000, 10)).toBe(true);
      // Meanwhile the broadcast is created and committed (DAILY: no email of its own, a digest item).
      const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', title, message: 'Read this', userIds: [user.id] } });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      batchId = res.body.data.batchId as string;
      expect(await outboxDrained(t.app)).toBe(true);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    const key = `digest:${user.id}:${periodKey}`;
    const content = await db().selectFrom('digest_contents').select('created_at').where('user_id', '=', user.id).where('period_key', '=', periodKey);
    // The digest claims its email and hands it to the slow server, listing the batch's notification.
    expect(await waitFor(async () => (await db().selectFrom('email_log').select('claim_token').where('key', '=', key).where('status', '=', 'sending').executeTakeFirst())?.claim_token != null, 10_000, 10)).toBe(true);
    const batch = await db().selectFrom('notification_batches').select('created_at').where('id', '=', batchId).executeTakeFirstOrThrow();
    // The state the old filter missed: the content's created_at is before the batch's.
    expect((await content.executeTakeFirstOrThrow()).created_at.getTime()).toBeLessThan(batch.created_at.getTime());

    const mailed = () => sink.received.filter((m) => m.text.includes(title)).length;
    const res = await t.call('POST', `/api/admin/notifications/batches/${batchId}/recall`, { as: admin });
    const atAnswer = mailed();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.recall).toMatchObject({ hidden: 1, settled: true });
    // The digest that shows the recalled notification went out before the answer, not after it.
    expect(atAnswer).toBe(1);
    expect(await sending!).toMatchObject({ sent: 1 });
    expect(mailed()).toBe(1);
  });
});
