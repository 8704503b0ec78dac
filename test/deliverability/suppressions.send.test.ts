import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { Receiver } from '../webhooks/receiver.js';
import { outboxDrained, outboxSettled } from '../helpers/wait.js';

/**
 * The suppression list at send time (issue 18), against a real SMTP server that refuses chosen
 * addresses: a refusal of the address suppresses it, the next email to it is logged 'suppressed'
 * without reaching any server, a refusal of the message or a 4xx does not suppress, and an admin's
 * lift makes the address mailed again.
 */
let sink: SmtpSink;
let receiver: Receiver;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  // plainReplies: the sink answers exactly what a test sets (no enhanced code of its own added).
  sink = await new SmtpSink({ plainReplies: true }).start();
  receiver = await new Receiver().start();
  t = await createTestApp({ SMTP_URL: sink.url, JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '20', WEBHOOK_ALLOW_PRIVATE: 'true' });
  const hook = await t.call('POST', '/api/admin/webhooks', { as: await t.admin(), body: { url: receiver.url, events: ['email.suppressed'] } });
  expect(hook.status).toBe(201);
});
afterAll(async () => {
  await t.close();
  await sink.stop();
  await receiver.stop();
});

const suppressedEvents = (email: string) => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> })
  .filter((e) => e.type === 'email.suppressed' && e.data.email === email);

const newUser = (label: string) => t.app.services.users.createUser({ email: `${label}${++n}-${Date.now()}@mail.test`, password: 'password-123', role: 'CREATOR', name: label });
const notify = (userId: string, title: string) => t.app.services.notifications.notify({ userIds: [userId], type: 'PAYOUT', title, message: 'Your payout is on its way.' });
const logOf = (userId: string) => t.app.database.db.selectFrom('email_log').select(['status', 'error', 'attempts', 'message_id', 'transport', 'subject'])
  .where('user_id', '=', userId).orderBy('created_at').execute();
const suppressionOf = (email: string) => t.app.database.db.selectFrom('email_suppressions').selectAll().where('email', '=', email).executeTakeFirst();
const inApp = (userId: string) => t.app.database.db.selectFrom('notifications').select('title').where('user_id', '=', userId).orderBy('created_at').execute();

describe('a permanent refusal of the address', () => {
  it('suppresses it with the SMTP answer; the next notification is in-app, logged suppressed, never handed to SMTP', async () => {
    const user = await newUser('bounce');
    sink.answers.set(user.email, { rcpt: '550 5.1.1 <user> User unknown' });
    await notify(user.id, 'First');
    const first = await outboxSettled(t.app);
    expect(first.drained).toBe(true);
    // The refusal is permanent: the delivery job failed for good (no retry), saying why.
    expect(first.failed.map((f) => f.jobName)).toEqual(['NotificationsDeliver']);
    const [failed] = await logOf(user.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed!.error).toContain('550 5.1.1');
    expect(await suppressionOf(user.email)).toMatchObject({
      reason: 'hard-bounce', source: 'smtp', detail: '550 5.1.1 <user> User unknown', message_id: failed!.message_id, user_id: user.id,
    });
    // Outbound webhook email.suppressed, emitted in the suppression's transaction (through the outbox).
    expect(await waitFor(async () => suppressedEvents(user.email).length > 0, 20_000, 50)).toBe(true);
    expect(suppressedEvents(user.email)).toMatchObject([{ data: { email: user.email, reason: 'hard-bounce', source: 'smtp', messageId: failed!.message_id, userId: user.id, upgraded: false } }]);

    // The server would now accept it: only the suppression list stands between it and the sink.
    sink.answers.delete(user.email);
    await notify(user.id, 'Second');
    expect(await outboxDrained(t.app)).toBe(true);
    const rows = await logOf(user.id);
    expect(rows.map((r) => r.status)).toEqual(['failed', 'suppressed']);
    expect(rows[1]).toMatchObject({ transport: null, error: 'address suppressed (hard-bounce, smtp)' });
    expect(sink.mailbox(user.email)).toEqual([]);
    // No SMTP attempt at all: the server was offered the address once, for the first email.
    expect(sink.offered.filter((a) => a === user.email)).toHaveLength(1);
    expect((await inApp(user.id)).map((r) => r.title)).toEqual(['First', 'Second']);
    // The admin's email log filters on it.
    const admin = await t.admin();
    const listed = await t.call('GET', '/api/admin/emails?status=suppressed&pageSize=100', { as: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.data.filter((e: { userId: string }) => e.userId === user.id)).toMatchObject([{ status: 'suppressed', subject: rows[1]!.subject }]);
  });

  it('an address spelled in another case by the user row is still matched', async () => {
    const user = await newUser('case');
    await t.app.database.db.insertInto('email_suppressions').values({ email: user.email, reason: 'complaint', source: 'generic' }).execute();
    // The claim compares lower-cased: even if an address reached the log in capitals, it is caught.
    const claim = await t.app.services.email.sendOnce({
      key: `test:case:${user.id}`, kind: 'notification', notificationId: null, userId: user.id, to: user.email.toUpperCase(), subject: 's', html: '<p>x</p>', text: 'x', headers: {},
    });
    expect(claim).toBe('suppressed');
    // A retry of that email says the same (the row is done), still with no SMTP attempt.
    expect(await t.app.services.email.sendOnce({
      key: `test:case:${user.id}`, kind: 'notification', notificationId: null, userId: user.id, to: user.email, subject: 's', html: '<p>x</p>', text: 'x', headers: {},
    })).toBe('suppressed');
    expect(sink.mailbox(user.email)).toEqual([]);
  });
});

describe('a refusal of the message', () => {
  it.each([['552 5.3.4 Message size exceeds fixed limit'], ['554 5.7.1 Message rejected as spam'], ['554 Transaction failed']])('%s fails the email but does not suppress the address', async (reply) => {
    const user = await newUser('message');
    sink.answers.set(user.email, { data: reply });
    await notify(user.id, 'Refused');
    const settled = await outboxSettled(t.app);
    expect(settled.failed.map((f) => f.jobName)).toEqual(['NotificationsDeliver']);
    expect(await logOf(user.id)).toMatchObject([{ status: 'failed' }]);
    expect(await suppressionOf(user.email)).toBeUndefined();
    sink.answers.delete(user.email);
    await notify(user.id, 'Accepted');
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await logOf(user.id)).map((r) => r.status)).toEqual(['failed', 'sent']);
    expect(sink.mailbox(user.email).map((m) => m.subject)).toHaveLength(1);
  });
});

describe('a temporary refusal', () => {
  it('4xx to RCPT TO is retried with backoff and never suppresses; the email goes out when the server accepts', async () => {
    const user = await newUser('later');
    sink.answers.set(user.email, { rcpt: '450 4.2.1 Mailbox busy, try again later' });
    await notify(user.id, 'Retried');
    // Refused at least twice (retried by the job's backoff), never suppressed meanwhile.
    expect(await waitFor(async () => ((await logOf(user.id))[0]?.attempts ?? 0) >= 2, 20_000, 50)).toBe(true);
    expect((await logOf(user.id))[0]).toMatchObject({ status: 'sending' });
    expect((await logOf(user.id))[0]!.error).toContain('450 4.2.1');
    expect(await suppressionOf(user.email)).toBeUndefined();
    sink.answers.delete(user.email);
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await logOf(user.id)).toMatchObject([{ status: 'sent' }]);
    expect(await suppressionOf(user.email)).toBeUndefined();
    expect(sink.mailbox(user.email)).toHaveLength(1);
  });
});

describe('lifting a suppression', () => {
  it('an admin\'s DELETE makes the address mailed again (end to end through the sink)', async () => {
    const user = await newUser('lifted');
    sink.answers.set(user.email, { rcpt: '550 5.1.1 User unknown' });
    await notify(user.id, 'Bounced');
    await outboxSettled(t.app);
    expect(await suppressionOf(user.email)).toBeDefined();
    sink.answers.delete(user.email);
    const admin = await t.admin();
    const res = await t.call('DELETE', `/api/admin/emails/suppressions/${encodeURIComponent(user.email.toUpperCase())}`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    await notify(user.id, 'Welcome back');
    expect(await outboxDrained(t.app)).toBe(true);
    expect(sink.mailbox(user.email).map((m) => m.subject)).toHaveLength(1);
    expect((await logOf(user.id)).map((r) => r.status)).toEqual(['failed', 'sent']);
  });
});

describe('digests', () => {
  it('a digest to a suppressed address is logged suppressed, not sent, and counts as done for the cursor', async () => {
    const user = await newUser('digest');
    await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
    const runAt = new Date(Date.now() + 60_000);
    await t.app.database.db.insertInto('notifications').values({ user_id: user.id, type: 'LICENSE', title: 'Pending', message: 'm', created_at: new Date(runAt.getTime() - 3_600_000) }).execute();
    await t.app.database.db.insertInto('email_suppressions').values({ email: user.email, reason: 'hard-bounce', source: 'ses' }).execute();
    await t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt, trigger: 'schedule' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await logOf(user.id)).toMatchObject([{ status: 'suppressed' }]);
    expect(sink.mailbox(user.email)).toEqual([]);
    const prefs = await t.app.database.db.selectFrom('notification_preferences').select('last_digest_sent_at').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(prefs.last_digest_sent_at).not.toBeNull();
  });
});
