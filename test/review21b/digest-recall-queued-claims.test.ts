import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestEmailKey } from '../../src/digests/digests.service.js';
import { StaleContentError, type EmailToSend } from '../../src/platform/email/email.service.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

/**
 * Review of issue 21 (290875c, EmailService.sendMany): a DigestSend now claims all its digests in
 * one statement and each claim then waits, renewed, for a free SMTP slot. A recall (issue 19)
 * stops a digest only at its claim, and waits at most EMAIL_LEASE_MS for the digests it finds
 * claimed. Before, a digest was claimed only once a slot was free, so a digest queued behind
 * others was claimed after the recall, found the recalled row expired and was read again without
 * it. Now it is claimed ahead of its slot: the recall finds it `sending`, waits a lease, answers,
 * and the digest listing the recalled notification is handed to SMTP after the answer, with a
 * server that takes less than a lease a message (here 0.7 s a message, leases of 1 s; in
 * production a 60 s lease against 2,000 claims a worker queued behind 10 connections: any server
 * slower than 0.3 s a message).
 */
let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink({ delayMs: 700 }).start();
  t = await createTestApp({ SMTP_URL: sink.url, SMTP_POOL_SIZE: '1', EMAIL_LEASE_MS: '1000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;

describe('recall vs digests claimed ahead of their SMTP slot', () => {
  it('no digest listing the recalled notification reaches the server after the recall answered', { timeout: 60_000 }, async () => {
    const tag = randomUUID().slice(0, 8);
    const users = await Promise.all([1, 2, 3, 4].map(async (i) => {
      const u = await t.app.services.users.createUser({ email: `queued-${tag}-${i}@recall.test`, password: 'password-123', role: 'CREATOR', name: `Reader ${i}` });
      await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
      return u;
    }));
    const ids = users.map((u) => u.id);
    await db().updateTable('notification_preferences').set({ last_digest_sent_at: new Date(Date.now() - 86_400_000) }).where('user_id', 'in', ids).execute();
    // Each digest lists one notification that stays, and the broadcast's.
    await t.app.services.notifications.notify({ userIds: ids, type: 'SYSTEM', title: `Kept ${tag}`, message: 'Stays' });
    const title = `Recalled while queued ${randomUUID()}`;
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', title, message: 'Read this', userIds: ids } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const batchId = res.body.data.batchId as string;
    expect(await outboxDrained(t.app)).toBe(true);

    const periodKey = `queued-${tag}`;
    const keys = ids.map((id) => `digest:${id}:${periodKey}`);
    const sending = t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: new Date(Date.now() + 60_000).toISOString(), users: ids.map((userId) => ({ userId, periodKey })) })
      .catch((err: Error) => ({ error: err.message }));
    // A digest is claimed and in hand-off (since 290875c the others are claimed with it, waiting for the connection).
    expect(await waitFor(async () => (await db().selectFrom('email_log').select('key').where('key', 'in', keys).where('status', '=', 'sending').execute()).length >= 1, 10_000, 10)).toBe(true);

    const recall = await t.call('POST', `/api/admin/notifications/batches/${batchId}/recall`, { as: admin });
    expect(recall.status, JSON.stringify(recall.body)).toBe(200);
    const reachedAtAnswer = new Set(sink.offered.filter((a) => a.includes(`queued-${tag}-`)));
    const counts = await sending;
    expect(counts).not.toHaveProperty('error');
    // Every digest listing the recalled notification reached the server before the answer.
    const listing = sink.received.filter((m) => m.text.includes(title));
    expect(listing.map((m) => m.to[0]).filter((to) => !reachedAtAnswer.has(to!))).toEqual([]);
    // The others read their content again, without it: every user gets one digest, sent once.
    expect(counts).toMatchObject({ sent: 4 });
    const rows = await db().selectFrom('email_log').select(['key', 'status']).where('key', 'in', keys).execute();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const mails = sink.received.filter((m) => m.to[0]!.includes(`queued-${tag}-`));
    expect(mails).toHaveLength(4);
    for (const m of mails) expect(m.text).toContain(`Kept ${tag}`);
  });
});

describe('a listed notification deleted while its digest waits for a slot', () => {
  it('the digest is not handed off: it answers stale (its content is read again) and its row is gone', { timeout: 60_000 }, async () => {
    const tag = randomUUID().slice(0, 8);
    const { rows: users } = await sql<{ id: string; email: string }>`
      INSERT INTO users (email, role, password_hash) SELECT ${tag} || '-' || g || '@deleted-queued.test', 'VIEWER', 'x' FROM generate_series(1, 3) g
      RETURNING id, email`.execute(db());
    const { rows: items } = await sql<{ id: string; user_id: string }>`
      INSERT INTO notifications (user_id, type, title, message, priority)
      SELECT u, 'LICENSE', 'Deleted later ' || u, 'Details', 'MEDIUM' FROM unnest(${users.map((u) => u.id)}::uuid[]) u
      RETURNING id, user_id`.execute(db());
    const emails: EmailToSend[] = users.map((u) => ({
      key: digestEmailKey(u.id, `deleted-${tag}`), kind: 'digest', notificationId: null, userId: u.id, to: u.email, subject: `Digest of ${u.email}`,
      liveNotifications: items.filter((i) => i.user_id === u.id).map((i) => i.id), html: '<p>digest</p>', text: 'digest', headers: {},
    }));
    const sending = t.app.services.email.sendMany(emails);
    expect(await waitFor(async () => (await db().selectFrom('email_log').select('key').where('key', 'in', emails.map((e) => e.key)).where('status', '=', 'sending').execute()).length === 3, 10_000, 10)).toBe(true);
    // The user deletes the last digest's only notification while it waits for the connection.
    await db().deleteFrom('notifications').where('id', '=', emails[2]!.liveNotifications![0]!).execute();
    const results = await sending;
    expect(results.slice(0, 2).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(results[2]!.status).toBe('rejected');
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(StaleContentError);
    expect(sink.mailbox(emails[2]!.to)).toHaveLength(0);
    expect(await db().selectFrom('email_log').select('status').where('key', '=', emails[2]!.key).executeTakeFirst()).toBeUndefined();
  });
});
