import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationEmailKey } from '../../src/notifications/delivery.service.js';
import { EmailLogRepository } from '../../src/platform/email/email-log.repository.js';
import { StaleContentError } from '../../src/platform/email/email.service.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { SseClient } from '../helpers/sse-client.js';
import { outboxDrained } from '../helpers/wait.js';
import { counts, list, nextChange } from './inbox-fixtures.js';

// Issue 19, safe broadcasts: POST /api/admin/notifications/batches/:id/recall. The race it must
// win ("Done means"): a broadcast being emailed through a slow SMTP server is recalled mid-way; no
// email reaches the server after the recall answered, and its counts are exact.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  // A slow server (each message answered 120 ms after its DATA), two connections, small delivery jobs.
  sink = await new SmtpSink({ delayMs: 120 }).start();
  t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '2', DELIVERY_BATCH_SIZE: '5', FANOUT_BATCH_SIZE: '100' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;
const recall = (batchId: string, as: Session | null = admin) => t.call('POST', `/api/admin/notifications/batches/${batchId}/recall`, { as: as ?? undefined });
const broadcast = async (body: Record<string, unknown>) => {
  const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', message: 'Read this', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.data.batchId as string;
};

/** Users inserted directly (no password hashing): recipients that never sign in. */
async function bulkUsers(count: number, role: 'CREATOR' | 'BRAND' = 'CREATOR', prefs?: { emailEnabled: false }): Promise<string[]> {
  const tag = randomUUID().slice(0, 8);
  const rows = await db().insertInto('users').values(Array.from({ length: count }, (_, i) => ({ email: `r${i}-${tag}@mail.test`, role, password_hash: 'x', name: null })))
    .returning('id').execute();
  if (prefs) {
    await db().insertInto('notification_preferences').values(rows.map((r) => ({ user_id: r.id, enabled_types: ['SYSTEM'], email_enabled: false }))).execute();
  }
  return rows.map((r) => r.id);
}

/** Backends of this test's database waiting for a lock: a statement blocked where the test wants it. */
const lockWaiters = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db())).rows[0]!.n);

const emailStates = async (batchId: string) => Object.fromEntries((await sql<{ status: string; n: number }>`
  SELECT e.status, count(*)::int AS n FROM email_log e JOIN notifications x ON x.id = e.notification_id WHERE x.batch_id = ${batchId} GROUP BY 1`.execute(db())).rows.map((r) => [r.status, r.n]));

describe('recall racing delivery', () => {
  it('stops the emails not yet claimed, lets none reach the server after it answered, counts each exactly, hides the batch everywhere', async () => {
    const watchers = [await t.user('CREATOR'), await t.user('CREATOR')];
    const others = await bulkUsers(38);
    const recipients = [...watchers.map((w) => w.user.id), ...others];
    const streams = await Promise.all(watchers.map((w) => SseClient.open(t.url, w)));
    try {
      for (const s of streams) await s.next('unread-count');
      const title = `Recall me ${randomUUID()}`;
      const batchId = await broadcast({ title, userIds: recipients });
      const mailed = () => sink.received.filter((m) => m.subject.includes(title)).length;
      const pushed = await Promise.all(streams.map(async (s) => JSON.parse((await s.next('notification')).data!) as { id: string; title: string }));
      expect(pushed.map((p) => p.title)).toEqual([title, title]);
      // Mid-way: some emails out, most not (40 emails through two 120 ms connections take ~2.4 s).
      expect(await waitFor(async () => mailed() >= 4, 15_000, 10)).toBe(true);

      const res = await recall(batchId);
      const atAnswer = mailed();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { recall: counted, ...batch } = res.body.data;
      expect(batch).toMatchObject({ id: batchId, status: 'recalled', target: 'users', created: 40, title, recalledAt: expect.any(String) });
      expect(atAnswer).toBeLessThan(40);
      // Every email that reached the server before the answer is counted sent; every other one cancelled.
      expect(counted).toEqual({
        hidden: 40, emailsSent: atAnswer, emailsCancelled: 40 - atAnswer, emailsFailed: 0, emailsUnconfirmed: 0, digestItemsRemoved: 0, unreached: 0, settled: true,
      });

      // Let every delivery job finish (they find the rows recalled): still nothing more reaches the server.
      expect(await outboxDrained(t.app)).toBe(true);
      expect(mailed()).toBe(atAnswer);
      expect(await emailStates(batchId)).toEqual({ sent: atAnswer, cancelled: 40 - atAnswer });

      // Gone from every inbox and count, and open streams heard it.
      for (const [i, w] of watchers.entries()) {
        expect((await list(t, w)).items.map((n) => n.title)).not.toContain(title);
        expect(await counts(t, w)).toMatchObject({ count: 0, unseen: 0 });
        const change = await nextChange(streams[i]!);
        expect(change).toMatchObject({ action: 'expire', ids: [pushed[i]!.id] });
      }
      const visible = await sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications WHERE batch_id = ${batchId} AND (expires_at IS NULL OR expires_at > now())`.execute(db());
      expect(visible.rows[0]!.n).toBe(0);

      // The batch shows it; the list has it first; the admin's action is audited once.
      expect((await t.call('GET', `/api/admin/notifications/batches/${batchId}`, { as: admin })).body.data).toEqual(res.body.data);
      const page = await t.call('GET', '/api/admin/notifications/batches?page=1&pageSize=5', { as: admin });
      expect(page.body.data[0]).toEqual(res.body.data);
      expect(page.body.pagination).toMatchObject({ page: 1, pageSize: 5 });
      const audit = await db().selectFrom('admin_audit').select(['action', 'details', 'admin_id']).where('action', '=', 'notifications.recall').execute();
      expect(audit.filter((a) => (a.details as { batchId: string }).batchId === batchId)).toEqual([
        { action: 'notifications.recall', admin_id: admin.user.id, details: expect.objectContaining({ batchId, hidden: 40 }) },
      ]);
      // Idempotent: again, it answers the same recall.
      const again = await recall(batchId);
      expect(again.status).toBe(200);
      expect(again.body.data).toEqual(res.body.data);
    } finally {
      for (const s of streams) s.close();
    }
  });
});

describe('the claim lock (fails without it: a claim would not wait for the recall, or the recall not for a claim)', () => {
  /** A notification of its own batch whose delivery sends nothing (email off): the test takes its email's claim by hand. */
  async function quietNotification() {
    const [userId] = await bulkUsers(1, 'CREATOR', { emailEnabled: false });
    const batchId = await broadcast({ title: `Lock ${randomUUID()}`, userIds: [userId] });
    const row = await db().selectFrom('notifications').select(['id', 'user_id']).where('batch_id', '=', batchId).executeTakeFirstOrThrow();
    const user = await db().selectFrom('users').select('email').where('id', '=', userId!).executeTakeFirstOrThrow();
    expect(await outboxDrained(t.app)).toBe(true);
    const email = {
      key: notificationEmailKey(row.id), kind: 'notification' as const, notificationId: row.id, userId: row.user_id, to: user.email,
      subject: `Lock test ${row.id}`, html: '<p>x</p>', text: 'x', headers: {},
    };
    return { batchId, id: row.id, email };
  }

  it('a claim that meets the recall\'s UPDATE in flight waits for it, then finds the row recalled: cancelled, never sent', async () => {
    const { id, email } = await quietNotification();
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      // The recall's hide, begun and not committed (what BroadcastsRepository.hide does to each row).
      await client.query('BEGIN');
      await client.query(`UPDATE notifications SET expires_at = date_trunc('milliseconds', clock_timestamp()) WHERE id = $1`, [id]);
      const sending = t.app.services.email.sendOnce(email);
      expect(await waitFor(async () => (await lockWaiters()) >= 1, 10_000, 10)).toBe(true);
      await client.query('COMMIT');
      expect(await sending).toBe('cancelled');
    } finally {
      await client.end();
    }
    expect(sink.received.some((m) => m.subject === email.subject)).toBe(false);
    expect(await db().selectFrom('email_log').select(['status', 'error']).where('key', '=', email.key).executeTakeFirstOrThrow())
      .toEqual({ status: 'cancelled', error: 'recalled or expired before its email was claimed' });
  });

  it('the recall waits for a claim taken before it, answers only once that email is done, and counts it sent', async () => {
    const { batchId, email } = await quietNotification();
    const token = randomUUID();
    let answered = false;
    let recalled: ReturnType<typeof recall> | undefined;
    await db().transaction().execute(async (tx) => {
      // The claim's statement in a transaction left open: its share lock on the row is held.
      const claim = await new EmailLogRepository(tx).claim({ ...email, messageId: '<lock@test>' }, token, 60_000);
      expect(claim).toMatchObject({ status: 'sending' });
      recalled = recall(batchId).then((r) => {
        answered = true;
        return r;
      });
      // The recall's UPDATE waits for the claim's lock (without the lock it would commit and answer now).
      expect(await waitFor(async () => (await lockWaiters()) >= 1, 10_000, 10)).toBe(true);
    });
    // The recall committed (the batch shows it) but does not answer while the claimed email is in hand-off.
    expect(await waitFor(async () => (await db().selectFrom('notification_batches').select('status').where('id', '=', batchId).executeTakeFirstOrThrow()).status === 'recalled', 10_000, 10)).toBe(true);
    expect(answered).toBe(false);
    expect(await new EmailLogRepository(db()).complete(email.key, token, { status: 'sent', transport: 'test', smtpResponse: '250 ok' })).toBe(true);
    const res = await recalled!;
    expect(res.status).toBe(200);
    expect(res.body.data.recall).toMatchObject({ hidden: 1, emailsSent: 1, emailsCancelled: 0, emailsUnconfirmed: 0, settled: true });
  });

  it('a digest claim that lists a recalled notification claims nothing and says stale (the digest reads its items again)', async () => {
    const { batchId, id, email } = await quietNotification();
    expect((await recall(batchId)).status).toBe(200);
    const digest = { ...email, key: `digest:${email.userId}:lock-${id}`, kind: 'digest' as const, notificationId: null, liveNotifications: [id] };
    await expect(t.app.services.email.sendOnce(digest)).rejects.toBeInstanceOf(StaleContentError);
    expect(await db().selectFrom('email_log').select('id').where('key', '=', digest.key).executeTakeFirst()).toBeUndefined();
  });
});

describe('recall of a fan-out still running', () => {
  it('stops it: no row is created after the recall answered; the users not reached are counted', async () => {
    const brands = (await bulkUsers(350, 'BRAND')).sort();
    // Hold the 150th user's row: the fan-out's second page (users 101-200) waits on its foreign-key check.
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    let recalled: ReturnType<typeof recall> | undefined;
    let batchId = '';
    try {
      await client.query('BEGIN');
      await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [brands[149]]);
      batchId = await broadcast({ title: 'To brands', role: 'BRAND' });
      expect(await waitFor(async () => (await t.app.services.notifications.getBatch(batchId)).created === 100 && (await lockWaiters()) >= 1, 15_000, 10)).toBe(true);
      recalled = recall(batchId);
      // The recall waits for the page in progress (it holds the batch's row).
      expect(await waitFor(async () => (await lockWaiters()) >= 2, 10_000, 10)).toBe(true);
    } finally {
      await client.query('COMMIT');
      await client.end();
    }
    const res = await recalled!;
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'recalled', created: 200, recall: { hidden: 200, unreached: 150, settled: true } });
    expect(await outboxDrained(t.app)).toBe(true);
    const rows = Number((await db().selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', '=', batchId).executeTakeFirstOrThrow()).n);
    expect(rows).toBe(200);
    expect((await t.app.services.notifications.getBatch(batchId)).status).toBe('recalled');
  });
});

describe('two recalls at once, and who may recall', () => {
  it('two recalls of one batch answer the same recall; it is audited once', async () => {
    const ids = await bulkUsers(5);
    const batchId = await broadcast({ title: 'Twice', userIds: ids });
    const [a, b] = await Promise.all([recall(batchId), recall(batchId)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.data).toEqual(b.body.data);
    expect(a.body.data.recall).toMatchObject({ hidden: 5, settled: true });
    const audits = await sql<{ n: number }>`SELECT count(*)::int AS n FROM admin_audit WHERE action = 'notifications.recall' AND details ->> 'batchId' = ${batchId}`.execute(db());
    expect(audits.rows[0]!.n).toBe(1);
  });

  it('is for admins only; an unknown or malformed id is 404 Batch not found', async () => {
    const ids = await bulkUsers(1);
    const batchId = await broadcast({ title: 'Not yours', userIds: ids });
    const viewer = await t.user('VIEWER');
    expect((await recall(batchId, viewer)).status).toBe(403);
    expect((await recall(batchId, null)).status).toBe(401);
    expect((await t.app.services.notifications.getBatch(batchId)).status).toBe('completed');
    for (const id of [randomUUID(), 'not-an-id']) {
      const res = await recall(id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Batch not found' });
    }
  });
});
