import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * Issue 17, quiet hours end to end: real SMTP sink, real workers, the real clock. HH:MM has minute
 * granularity, so a window that ends "soon" ends at the next minute boundary and the test waits
 * for it (at least LEAD_MS away, so the setup happens inside the window).
 */

// +05:45: a window read in UTC (or in whole hours) would not hold now.
const ZONE = 'Asia/Kathmandu';
const MINUTE = 60_000;
const LEAD_MS = 15_000;

let sink: SmtpSink;
let t: TestApp;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://app.example.com', RATE_LIMIT_OVERRIDES: 'notifications.preferences.update=1000,notifications.markRead=1000' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const hhmm = (at: number, tz = ZONE) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
const db = () => t.app.database.db;

async function setQuietHours(user: Session, quietHours: { start: string; end: string } | null, timezone: string | null = ZONE) {
  const res = await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { quietHours, timezone } });
  expect(res.status).toBe(200);
}

async function notify(users: Session[], title: string, extra: { priority?: 'URGENT' | 'HIGH' | 'MEDIUM' | 'LOW'; critical?: boolean } = {}): Promise<Map<string, string>> {
  const result = await t.app.services.notifications.create({ userIds: users.map((u) => u.user.id) }, {
    type: 'PAYOUT', title, message: 'Your payout is on its way.', actionUrl: '/payouts/1', priority: extra.priority ?? 'MEDIUM', metadata: null, critical: extra.critical ?? false,
  });
  const rows = await db().selectFrom('notifications').select(['id', 'user_id']).where('batch_id', '=', result.batchId).execute();
  return new Map(rows.map((r) => [r.user_id, r.id]));
}

/** The delayed delivery jobs that hold a notification's email (issue 17), oldest first. */
async function heldJobsOf(notificationId: string) {
  const rows = await db().selectFrom('outbox').select(['id', 'job_id', 'payload', 'delay_until', 'completed_at'])
    .where('queue', '=', 'notification-delivery').where('delay_until', 'is not', null).orderBy('id').execute();
  return rows.filter((r) => (r.payload as { notificationIds: string[] }).notificationIds.includes(notificationId));
}

const emailLogOf = (notificationId: string) => db().selectFrom('email_log').select(['status', 'attempts', 'created_at', 'sent_at'])
  .where('key', '=', `notification:${notificationId}`).execute();
/** How late a BullMQ job is due after `at` (ms, ≥ 0): the relay turns the outbox's run-at into a delay from its own clock reading. */
const lateBy = (job: { timestamp: number; opts: { delay?: number } }, at: number) => {
  const late = job.timestamp + job.opts.delay! - at;
  expect(late).toBeGreaterThanOrEqual(0);
  return late;
};
const titles = (user: Session) => sink.mailbox(user.user.email).map((m) => m.subject);

describe('quiet hours hold IMMEDIATE emails (issue 17)', () => {
  it('holds a MEDIUM email in a delayed job until the window ends; URGENT, critical and users outside their window are emailed at once; in-app is not held', async () => {
    const [held, other, utc, none] = [await t.user(), await t.user(), await t.user(), await t.user()];
    const now = Date.now();
    // From an hour ago to two hours ahead, on the minute, in Kathmandu.
    const window = { start: hhmm(now - 60 * MINUTE), end: hhmm(now + 120 * MINUTE) };
    const endsAt = Math.floor((now + 120 * MINUTE) / MINUTE) * MINUTE;
    await setQuietHours(held, window);
    await setQuietHours(other, window);
    await setQuietHours(utc, window, null); // the same times read in UTC: not now
    const stream = await SseClient.open(t.url, held);
    try {
      expect(await stream.next('unread-count')).toBeDefined();
      const medium = (await notify([held, utc, none], 'Quiet medium')).get(held.user.id)!;
      await notify([other], 'Quiet urgent', { priority: 'URGENT' });
      await notify([other], 'Quiet critical', { critical: true });

      // In-app at once, email held.
      const pushed = await stream.next('notification');
      expect(JSON.parse(pushed.data!)).toMatchObject({ id: medium, title: 'Quiet medium' });
      expect(await waitFor(async () => (await heldJobsOf(medium)).length > 0, 10_000)).toBe(true);
      expect(await waitFor(async () => sink.mailbox(other.user.email).length >= 2 && titles(utc).length >= 1 && titles(none).length >= 1, 10_000)).toBe(true);
      expect(titles(other).sort()).toEqual(['Quiet critical', '[URGENT] Quiet urgent']);
      expect(titles(utc)).toEqual(['Quiet medium']);
      expect(titles(none)).toEqual(['Quiet medium']);

      // Held: a delayed job due at the window's end, nothing reserved, no email.
      const [job] = await heldJobsOf(medium);
      expect(job).toMatchObject({ delay_until: new Date(endsAt), completed_at: null, payload: { notificationIds: [medium], held: true } });
      expect(job!.job_id).toMatch(new RegExp(`^quiet-${endsAt}-[0-9a-f]{24}$`));
      const queued = await t.app.queues.get('notification-delivery').getJob(job!.job_id!);
      expect(await queued!.getState()).toBe('delayed');
      expect(lateBy(queued!, endsAt)).toBeLessThan(1_000);
      expect(await emailLogOf(medium)).toEqual([]);
      expect(titles(held)).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('sends a held email once when the window ends, not one read, deleted, archived, snoozed or turned off meanwhile; follows a move to a digest; holds again when the window moved', { timeout: 150_000 }, async () => {
    const users = {
      sent: await t.user(), read: await t.user(), deleted: await t.user(), archived: await t.user(), snoozed: await t.user(), off: await t.user(), daily: await t.user(), moved: await t.user(),
    };
    const all = Object.values(users);
    const admin = await t.admin();
    await waitFor(async () => MINUTE - (Date.now() % MINUTE) >= LEAD_MS, 2 * MINUTE, 100);
    const end = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
    const window = { start: hhmm(end - 60 * MINUTE), end: hhmm(end) };
    for (const user of all) await setQuietHours(user, window);
    const stream = await SseClient.open(t.url, users.sent);
    let later: SseClient | undefined;
    try {
      await stream.next('unread-count');
      const ids = await notify(all, 'Held until the end');
      const id = (user: Session) => ids.get(user.user.id)!;
      expect(await waitFor(async () => (await heldJobsOf(id(users.sent))).length > 0, 10_000)).toBe(true);
      const [held] = await heldJobsOf(id(users.sent));
      expect(held).toMatchObject({ delay_until: new Date(end), payload: { notificationIds: all.map(id).sort(), held: true } });
      expect(JSON.parse((await stream.next('notification')).data!).id).toBe(id(users.sent));
      // A stream that opens now: a connection drops ids it already sent, so only a fresh one would show a second push.
      later = await SseClient.open(t.url, users.sent);
      await later.next('unread-count');
      expect(Date.now(), 'the setup must happen inside the window').toBeLessThan(end);

      // Meanwhile: read, deleted, archived, snoozed past the end, email off, moved to DAILY, quiet hours moved a minute later.
      expect((await t.call('POST', `/api/notifications/${id(users.read)}/read`, { as: users.read })).status).toBe(200);
      expect((await t.call('DELETE', `/api/notifications/${id(users.deleted)}`, { as: users.deleted })).status).toBe(200);
      expect((await t.call('POST', `/api/notifications/${id(users.archived)}/archive`, { as: users.archived })).status).toBe(200);
      const until = new Date(end + 60 * MINUTE).toISOString();
      expect((await t.call('POST', `/api/notifications/${id(users.snoozed)}/snooze`, { as: users.snoozed, body: { until } })).status).toBe(200);
      expect((await t.call('PATCH', '/api/notifications/preferences', { as: users.off, body: { emailEnabled: false } })).status).toBe(200);
      expect((await t.call('PATCH', '/api/notifications/preferences', { as: users.daily, body: { digestFrequency: 'DAILY' } })).status).toBe(200);
      await setQuietHours(users.moved, { start: window.start, end: hhmm(end + MINUTE) });
      expect(sink.received.filter((m) => all.some((u) => m.to.includes(u.user.email)))).toEqual([]);

      // The end: the held job runs once.
      expect(await waitFor(async () => (await heldJobsOf(id(users.sent)))[0]!.completed_at !== null, end - Date.now() + 30_000, 100)).toBe(true);
      expect(titles(users.sent)).toEqual(['Held until the end']);
      const [log] = await emailLogOf(id(users.sent));
      expect(log).toMatchObject({ status: 'sent', attempts: 1 });
      // Reserved and sent at the end, not before.
      expect(log!.created_at.getTime()).toBeGreaterThanOrEqual(end);
      for (const user of [users.read, users.deleted, users.archived, users.snoozed, users.off, users.daily, users.moved]) {
        expect({ user: user.user.email, titles: titles(user), log: await emailLogOf(id(user)) }).toEqual({ user: user.user.email, titles: [], log: [] });
      }
      // Still inside the moved window: held again, in a job of its own due at the new end (which
      // sends it as the first job did; not waited for here: that would be one more minute).
      const again = await heldJobsOf(id(users.moved));
      expect(again.map((r) => r.delay_until!.getTime())).toEqual([end, end + MINUTE]);
      expect(again[1]!.payload).toEqual({ notificationIds: [id(users.moved)], held: true });
      const rehold = await t.app.queues.get('notification-delivery').getJob(again[1]!.job_id!);
      expect(await rehold!.getState()).toBe('delayed');
      expect(lateBy(rehold!, end + MINUTE)).toBeLessThan(1_000);

      // The held run did not push again: the next notification on the later stream is a later one.
      await notify([users.sent], 'Marker', { priority: 'URGENT' });
      expect(JSON.parse((await later.next('notification')).data!).title).toBe('Marker');

      // The user who moved to DAILY gets it in the digest, and only there.
      expect((await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'DAILY' } })).status).toBe(202);
      expect(await waitFor(async () => sink.mailbox(users.daily.user.email).length > 0, 20_000)).toBe(true);
      expect(sink.mailbox(users.daily.user.email)[0]!.text).toContain('Held until the end');


      // A held job run again changes nothing: the email_log key.
      const queue = t.app.queues.get('notification-delivery');
      const repeat = await queue.add('NotificationsDeliver', { notificationIds: [id(users.sent)], held: true });
      expect(await waitFor(async () => (await repeat.getState()) === 'completed', 10_000)).toBe(true);
      expect((await queue.getJob(repeat.id!))!.returnvalue).toMatchObject({ emailed: 0, alreadySent: 1, held: 0 });
      expect(titles(users.sent)).toEqual(['Held until the end', '[URGENT] Marker']);
      for (const user of [users.read, users.deleted, users.archived, users.snoozed, users.off]) expect(titles(user)).toEqual([]);
      expect(sink.mailbox(users.daily.user.email)).toHaveLength(1);
      // Nothing failed on the way (the first test's job still waits for its window's end).
      expect(await db().selectFrom('outbox').select('id').where('failed_at', 'is not', null).execute()).toEqual([]);
    } finally {
      stream.close();
      later?.close();
    }
  });
});
