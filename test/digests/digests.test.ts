import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestFrequency, NotificationType } from '../../src/platform/db/schema.js';
import { SCHEDULES } from '../../src/platform/queue/schedules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';

let sink: SmtpSink;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://app.example.com' });
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;
const RUN = new Date('2025-10-18T09:00:00.000Z'); // a Saturday
const HOUR = 3_600_000;

async function digestUser(frequency: DigestFrequency, prefs: { emailEnabled?: boolean; enabledTypes?: NotificationType[]; timezone?: string | null; last?: Date } = {}) {
  const user = await t.app.services.users.createUser({ email: `d${++n}@digest.test`, password: 'password-123', role: 'CREATOR', name: `Digest ${n}` });
  await t.app.services.notifications.updatePreferences(user.id, {
    digestFrequency: frequency, emailEnabled: prefs.emailEnabled ?? true, ...(prefs.enabledTypes ? { enabledTypes: prefs.enabledTypes } : {}),
    ...(prefs.timezone !== undefined ? { timezone: prefs.timezone } : {}),
  });
  if (prefs.last) await db().updateTable('notification_preferences').set({ last_digest_sent_at: prefs.last }).where('user_id', '=', user.id).execute();
  return user;
}

async function item(userId: string, createdAt: Date, fields: { type?: NotificationType; read?: boolean; title?: string; actionUrl?: string } = {}) {
  await db().insertInto('notifications').values({
    user_id: userId, type: fields.type ?? 'LICENSE', title: fields.title ?? `Item at ${createdAt.toISOString()}`, message: 'Details',
    read: fields.read ?? false, read_at: fields.read ? createdAt : null, created_at: createdAt, action_url: fields.actionUrl ?? null,
  }).execute();
}

async function runDigest(frequency: 'DAILY' | 'WEEKLY', runAt: Date, scope: 'utc' | 'zoned' | 'all' = 'all') {
  const result = await t.app.services.digests.run({ frequency, scope, runAt, trigger: 'manual' });
  await digestsDone();
  return result;
}

/** The sends go through the outbox: every row relayed and finished, and the queue idle. */
async function digestsDone() {
  expect(await outboxDrained(t.app)).toBe(true);
  expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
}

const titlesIn = (email: string) => sink.mailbox(email).map((m) => m.text);

describe('what a digest contains', () => {
  it('takes the window (previous digest, runAt]: the edges exactly, unread only, enabled types only', async () => {
    const last = new Date(RUN.getTime() - 24 * HOUR);
    const u = await digestUser('DAILY', { last, enabledTypes: ['LICENSE', 'PAYOUT'] });
    await item(u.id, last, { title: 'at-previous-edge' });
    await item(u.id, new Date(last.getTime() + 1), { title: 'just-after-previous' });
    await item(u.id, RUN, { title: 'at-run-edge', type: 'PAYOUT' });
    await item(u.id, new Date(RUN.getTime() + 1), { title: 'after-run' });
    await item(u.id, new Date(RUN.getTime() - HOUR), { title: 'already-read', read: true });
    await item(u.id, new Date(RUN.getTime() - HOUR), { title: 'disabled-type', type: 'MESSAGE' });
    await runDigest('DAILY', RUN);
    const mails = sink.mailbox(u.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Your daily digest: 2 new notifications');
    expect(mails[0]!.text).toContain('just-after-previous');
    expect(mails[0]!.text).toContain('at-run-edge');
    for (const absent of ['at-previous-edge', 'after-run', 'already-read', 'disabled-type']) expect(mails[0]!.text).not.toContain(absent);
    const prefs = await t.app.services.notifications.getPreferences(u.id);
    expect(prefs.lastDigestSentAt).toBe(RUN.toISOString());
  });

  // How a digest reads (groups, order, links, escaping) is a pure test of the renderer:
  // digest.render.test.ts. Here: the job renders the items newest first under PUBLIC_URL.
  it('groups by type, newest first, links each item and the inbox, and carries the one-click unsubscribe', async () => {
    const u = await digestUser('DAILY');
    await item(u.id, new Date(RUN.getTime() - 3 * HOUR), { type: 'PAYOUT', title: 'Older payout', actionUrl: '/payouts/1' });
    await item(u.id, new Date(RUN.getTime() - 2 * HOUR), { type: 'LICENSE', title: 'A license <b>' });
    await item(u.id, new Date(RUN.getTime() - 1 * HOUR), { type: 'PAYOUT', title: 'Newer payout', actionUrl: '/payouts/2' });
    await runDigest('DAILY', RUN);
    const [mail] = sink.mailbox(u.email);
    expect(mail!.subject).toBe('Your daily digest: 3 new notifications');
    const html = mail!.html;
    // Both present and in this order (an indexOf comparison passed with the first one missing).
    expect(html).toMatch(/Payout \(2\)[\s\S]*License \(1\)/);
    expect(html).toMatch(/Newer payout[\s\S]*Older payout/);
    expect(html).toContain('href="https://app.example.com/payouts/2"');
    expect(mail!.headers.get('list-unsubscribe')).toMatch(/^<https:\/\/app\.example\.com\/api\/notifications\/unsubscribe\?token=/);
    expect(mail!.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('leaves out users with email off, NEVER or IMMEDIATE users, and users with nothing new', async () => {
    const off = await digestUser('DAILY', { emailEnabled: false });
    const never = await digestUser('NEVER');
    const immediate = await digestUser('IMMEDIATE');
    const empty = await digestUser('DAILY');
    for (const u of [off, never, immediate]) await item(u.id, new Date(RUN.getTime() - HOUR));
    const { runId } = await runDigest('DAILY', RUN);
    for (const u of [off, never, immediate, empty]) expect(sink.mailbox(u.email)).toHaveLength(0);
    expect((await t.app.services.notifications.getPreferences(empty.id)).lastDigestSentAt).toBeUndefined();
    const report = await t.app.services.digests.runReport(runId);
    expect(report?.outcomes.empty).toBeGreaterThanOrEqual(1);
  });

  it('does not repeat notifications already emailed on their own (IMMEDIATE before switching)', async () => {
    const u = await digestUser('IMMEDIATE');
    await t.app.services.notifications.notify({ userIds: [u.id], type: 'LICENSE', title: 'Emailed alone', message: 'm' });
    expect(await outboxDrained(t.app)).toBe(true);
    await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'DAILY' });
    await item(u.id, new Date(Date.now() - 1000), { title: 'Only in digest' });
    await runDigest('DAILY', new Date());
    expect(sink.mailbox(u.email).map((m) => m.subject)).toEqual(['Emailed alone', 'Your daily digest: 1 new notification']);
  });
});

describe('exactly once per user and period', () => {
  it('a re-run of the same period sends nothing', async () => {
    const u = await digestUser('DAILY');
    await item(u.id, new Date(RUN.getTime() - HOUR));
    await runDigest('DAILY', RUN);
    await runDigest('DAILY', RUN);
    await runDigest('DAILY', new Date(RUN.getTime() + 5 * 60_000)); // same day, same period key
    expect(sink.mailbox(u.email)).toHaveLength(1);
  });

  it('two runs fired at once send one email per user', async () => {
    const users = await Promise.all([1, 2, 3].map(() => digestUser('DAILY')));
    for (const u of users) await item(u.id, new Date(RUN.getTime() - HOUR));
    await Promise.all([
      t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt: RUN, trigger: 'manual' }),
      t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt: RUN, trigger: 'schedule' }),
    ]);
    await digestsDone();
    for (const u of users) expect(sink.mailbox(u.email)).toHaveLength(1);
  });

  it('a crash after the send but before the record sends once on retry', async () => {
    const u = await digestUser('DAILY', { last: new Date(RUN.getTime() - 24 * HOUR) });
    await item(u.id, new Date(RUN.getTime() - HOUR));
    await runDigest('DAILY', RUN);
    // As if the process died between the SMTP hand-off and recording lastDigestSentAt.
    await db().updateTable('notification_preferences').set({ last_digest_sent_at: new Date(RUN.getTime() - 24 * HOUR) }).where('user_id', '=', u.id).execute();
    const outcome = await t.app.services.digests.send({ runId: null, frequency: 'DAILY', runAt: RUN.toISOString(), users: [{ userId: u.id, periodKey: '2025-10-18' }] });
    expect(outcome).toEqual({ 'already-sent': 1 });
    expect(sink.mailbox(u.email)).toHaveLength(1);
    expect((await t.app.services.notifications.getPreferences(u.id)).lastDigestSentAt).toBe(RUN.toISOString());
  });

  it('catches up after a missed day: the next digest covers everything since the previous one', async () => {
    const u = await digestUser('DAILY', { last: new Date(RUN.getTime() - 48 * HOUR) });
    await item(u.id, new Date(RUN.getTime() - 36 * HOUR), { title: 'from-the-missed-day' });
    await item(u.id, new Date(RUN.getTime() - 2 * HOUR), { title: 'from-today' });
    await runDigest('DAILY', RUN);
    const [mail] = sink.mailbox(u.email);
    expect(mail!.text).toContain('from-the-missed-day');
    expect(mail!.text).toContain('from-today');
  });

  it('switching frequency loses nothing and repeats nothing', async () => {
    const u = await digestUser('DAILY', { last: new Date(RUN.getTime() - 24 * HOUR) });
    await item(u.id, new Date(RUN.getTime() - HOUR), { title: 'before-switch' });
    await runDigest('DAILY', RUN);
    await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'WEEKLY' });
    await item(u.id, new Date(RUN.getTime() + 24 * HOUR), { title: 'while-weekly' });
    const monday = new Date('2025-10-20T09:00:00.000Z');
    await runDigest('DAILY', monday); // no longer daily: nothing
    await runDigest('WEEKLY', monday);
    const texts = titlesIn(u.email);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('while-weekly');
    expect(texts[1]).not.toContain('before-switch');
  });

  it('leaving DAILY for IMMEDIATE sends what was still pending at once', async () => {
    const u = await digestUser('DAILY');
    await item(u.id, new Date(Date.now() - HOUR), { title: 'pending-when-switching' });
    await t.app.services.notifications.updatePreferences(u.id, { digestFrequency: 'IMMEDIATE' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);
    expect(sink.mailbox(u.email)).toHaveLength(1);
    expect(sink.mailbox(u.email)[0]!.text).toContain('pending-when-switching');
  });
});

describe('time zones and days', () => {
  it('sends at 09:00 local across a DST change, and only for the zone whose morning it is', async () => {
    const ny = await digestUser('DAILY', { timezone: 'America/New_York' });
    const utc = await digestUser('DAILY');
    for (const at of ['2025-10-31T12:00:00Z', '2025-11-03T12:00:00Z']) await item(ny.id, new Date(at));
    const sends = async (iso: string) => {
      const before = sink.mailbox(ny.email).length;
      await runDigest('DAILY', new Date(iso), 'zoned');
      return sink.mailbox(ny.email).length - before;
    };
    expect(await sends('2025-10-31T14:00:00Z')).toBe(0); // 10:00 EDT
    expect(await sends('2025-10-31T13:00:00Z')).toBe(1); // 09:00 EDT
    expect(await sends('2025-11-03T13:00:00Z')).toBe(0); // 08:00 EST after the change
    expect(await sends('2025-11-03T14:00:00Z')).toBe(1); // 09:00 EST
    expect(sink.mailbox(utc.email)).toHaveLength(0); // the zoned runs never take users without a zone
    expect(sink.mailbox(ny.email)[0]!.headers.get('x-herald-digest')).toBe('DAILY 2025-10-31');
  });

  it('sends weekly digests on Mondays only', async () => {
    const w = await digestUser('WEEKLY', { timezone: 'Europe/Paris' });
    await item(w.id, new Date('2025-10-19T10:00:00Z'));
    await runDigest('WEEKLY', new Date('2025-10-21T07:00:00Z'), 'zoned'); // Tuesday 09:00 Paris
    expect(sink.mailbox(w.email)).toHaveLength(0);
    await runDigest('WEEKLY', new Date('2025-10-20T07:00:00Z'), 'zoned'); // Monday 09:00 Paris
    expect(sink.mailbox(w.email)).toHaveLength(1);
    expect(SCHEDULES.find((s) => s.id === 'digest-weekly')).toMatchObject({ pattern: '0 9 * * 1', tz: 'UTC' });
    expect(SCHEDULES.find((s) => s.id === 'digest-daily')).toMatchObject({ pattern: '0 9 * * *', tz: 'UTC' });
  });
});

describe('schedules and operations', () => {
  it('registers each schedule once however many scheduler processes start, next runs at 09:00 UTC', async () => {
    const second = await t.sibling({ roles: ['scheduler'] });
    try {
      const schedulers = await t.app.queues.get('notification-digest').getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['digest-daily', 'digest-daily-zoned', 'digest-weekly', 'digest-weekly-zoned']);
      const next = new Date((schedulers.find((s) => s.key === 'digest-weekly')!.next)!);
      expect(next.getUTCDay()).toBe(1);
      expect(next.getUTCHours()).toBe(9);
    } finally {
      await second.stop();
    }
  });

  it('runs a digest from the admin API as if at a given time, and reports last and next runs', async () => {
    const admin = await t.admin();
    const u = await digestUser('WEEKLY');
    const at = new Date('2025-10-27T09:00:00.000Z');
    await item(u.id, new Date(at.getTime() - HOUR));
    const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'WEEKLY', at: at.toISOString() } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, data: { jobId: expect.stringMatching(/^digest-run-WEEKLY-/) } });
    await digestsDone();
    expect(sink.mailbox(u.email)).toHaveLength(1);
    const stats = await t.call('GET', '/api/admin/jobs/notifications/stats', { as: admin });
    expect(stats.status).toBe(200);
    expect(stats.body.data.digest).toMatchObject({ lastWeeklyRun: at.toISOString(), nextDailyRun: expect.stringMatching(/T09:00:00.000Z$/), nextWeeklyRun: expect.stringMatching(/T09:00:00.000Z$/) });
    expect(stats.body.data.delivery).toEqual({ waiting: expect.any(Number), active: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number) });
  });

  it('validates the run request and is for admins only', async () => {
    const admin = await t.admin();
    for (const body of [{}, { frequency: 'HOURLY' }, { frequency: 'DAILY', at: 'tomorrow' }, { frequency: 'DAILY', extra: 1 }]) {
      const res = await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('Invalid request body');
    }
    const creator = await t.user('CREATOR');
    expect((await t.call('POST', '/api/admin/jobs/digests/run', { as: creator, body: { frequency: 'DAILY' } })).status).toBe(403);
    expect((await t.call('GET', '/api/admin/jobs/notifications/stats', { as: creator })).status).toBe(403);
  });
});

describe('a first digest reaches back exactly one period', () => {
  // A user's first digest (no cursor, no lastDigestSentAt) covers (runAt − 24 h, runAt] daily and
  // (runAt − 7 d, runAt] weekly, to the millisecond: the item exactly one period old is out, the one
  // a millisecond younger is in. A window widened or narrowed by any factor moves one of them.
  const edges = async (frequency: 'DAILY' | 'WEEKLY', runAt: Date, spanMs: number) => {
    const u = await digestUser(frequency);
    const start = runAt.getTime() - spanMs;
    await item(u.id, new Date(start - 1), { title: 'outside-by-a-millisecond' });
    await item(u.id, new Date(start), { title: 'outside-at-the-edge' });
    await item(u.id, new Date(start + 1), { title: 'inside-by-a-millisecond' });
    await item(u.id, runAt, { title: 'inside-at-the-run' });
    await runDigest(frequency, runAt);
    const mails = sink.mailbox(u.email);
    expect(mails.map((m) => m.subject)).toEqual([`Your ${frequency === 'DAILY' ? 'daily' : 'weekly'} digest: 2 new notifications`]);
    expect(mails[0]!.text).toContain('inside-by-a-millisecond');
    expect(mails[0]!.text).toContain('inside-at-the-run');
    expect(mails[0]!.text).not.toContain('outside-by-a-millisecond');
    expect(mails[0]!.text).not.toContain('outside-at-the-edge');
  };

  it('daily: 24 h to the millisecond', async () => {
    await edges('DAILY', new Date('2025-11-05T09:00:00.000Z'), 24 * HOUR);
  });

  it('weekly: 7 days to the millisecond', async () => {
    await edges('WEEKLY', new Date('2025-11-10T09:00:00.000Z'), 7 * 24 * HOUR);
  });
});

describe('who a zoned run picks (09:00–09:14 local, Monday for weekly)', () => {
  /** The users a zoned run wrote a digest job for: every one of them has an outcome in the run. */
  const picked = async (frequency: 'DAILY' | 'WEEKLY', iso: string) => {
    const { runId, scanned } = await runDigest(frequency, new Date(iso), 'zoned');
    const rows = await db().selectFrom('digest_deliveries').select('user_id').where('run_id', '=', runId).execute();
    expect(rows).toHaveLength(scanned);
    return rows.map((r) => r.user_id).sort();
  };

  it('half-hour and quarter-hour zones, at the first and last minute of the window and just outside it', async () => {
    const kolkata = await digestUser('DAILY', { timezone: 'Asia/Kolkata' }); // UTC+05:30
    const kathmandu = await digestUser('DAILY', { timezone: 'Asia/Kathmandu' }); // UTC+05:45
    const only = (...users: Array<{ id: string }>) => users.map((u) => u.id).sort();
    // Every other zoned daily user in this database is in New York, whose evening this is.
    expect(await picked('DAILY', '2025-11-04T03:14:00Z')).toEqual(only()); // Kathmandu 08:59, Kolkata 08:44
    expect(await picked('DAILY', '2025-11-04T03:15:00Z')).toEqual(only(kathmandu)); // Kathmandu 09:00
    expect(await picked('DAILY', '2025-11-04T03:29:00Z')).toEqual(only(kathmandu)); // Kathmandu 09:14, Kolkata 08:59
    expect(await picked('DAILY', '2025-11-04T03:30:00Z')).toEqual(only(kolkata)); // Kolkata 09:00, Kathmandu 09:15
    expect(await picked('DAILY', '2025-11-04T03:44:00Z')).toEqual(only(kolkata)); // Kolkata 09:14
    expect(await picked('DAILY', '2025-11-04T03:45:00Z')).toEqual(only()); // Kolkata 09:15
  });

  it('weekly: Monday by the local calendar, in a +13:45 zone whose Monday 09:00 is Sunday in UTC', async () => {
    const chatham = await digestUser('WEEKLY', { timezone: 'Pacific/Chatham' }); // UTC+13:45 in November
    expect(await picked('WEEKLY', '2025-11-02T19:14:00Z')).toEqual([]); // Monday 08:59 there
    expect(await picked('WEEKLY', '2025-11-02T19:15:00Z')).toEqual([chatham.id]); // Monday 09:00 there, Sunday 19:15 UTC
    expect(await picked('WEEKLY', '2025-11-03T19:15:00Z')).toEqual([]); // Tuesday 09:00 there, Monday in UTC
  });
});
