import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';
import { bounceEvent } from './timeline.helpers.js';

// The timeline's delivery stages beyond a plain send: an email still in flight, one to a suppressed
// address, a provider's bounce (through email-events' generic intake), a digest that carried the notification, an email held by quiet hours (the delayed
// delivery run found through its job id). The sink answers each message a second late, so a claim can be seen before its send.

const SECRET = 'timeline-test-secret-0123456789';
let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink({ delayMs: 1_000 }).start();
  t = await createTestApp({ SMTP_URL: sink.url, RATE_LIMIT_OVERRIDES: 'admin.jobs=2000', EMAIL_WEBHOOK_SECRET: SECRET });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

async function newUser(prefix: string) {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@mail.test`;
  const user = await t.app.services.users.createUser({ email, password: 'password-123', role: 'VIEWER' });
  return { ...user, session: await t.login(email, 'password-123') };
}

async function notifyOne(userId: string, title: string): Promise<string> {
  await t.app.services.notifications.notify({ userIds: [userId], type: 'PAYOUT', title, message: `${title}: $120 on its way.` });
  return (await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', userId).where('title', '=', title).executeTakeFirstOrThrow()).id;
}

type Event = { at: string; stage: string; detail: Record<string, unknown> };
async function events(id: string): Promise<Event[]> {
  const res = await t.call('GET', `/api/admin/notifications/${id}/timeline`, { as: admin });
  expect(res.status).toBe(200);
  return res.body.data.events;
}
const names = (list: Event[]) => list.map((e) => e.stage);
const emailStatus = async (notificationId: string) =>
  (await t.app.database.db.selectFrom('email_log').select('status').where('notification_id', '=', notificationId).executeTakeFirst())?.status;

describe('timeline: delivery stages beyond a plain send', () => {
  it('shows an email in flight as claimed, not sent, and sent once the server answered', async () => {
    const user = await newUser('inflight');
    const id = await notifyOne(user.id, 'In flight');
    // The sink answers DATA a second late: the claim is written, the send not yet.
    expect(await waitFor(async () => (await emailStatus(id)) === 'sending', 10_000, 20)).toBe(true);
    const during = await events(id);
    expect(names(during)).toContain('email-claimed');
    expect(names(during)).not.toContain('email-sent');
    expect(during.find((e) => e.stage === 'email-claimed')!.detail).toMatchObject({ to: user.email, attempts: 1 });
    expect(await outboxDrained(t.app)).toBe(true);
    const after = await events(id);
    expect(names(after).filter((s) => s === 'email-claimed' || s === 'email-sent')).toEqual(['email-claimed', 'email-sent']);
  });

  it('shows an email to a suppressed address as suppressed, never sent, while the notification is in the inbox', async () => {
    const user = await newUser('suppressed');
    await t.app.database.db.transaction().execute((trx) => t.app.services.suppressions.suppress(trx, {
      email: user.email, reason: 'hard-bounce', source: 'smtp', detail: '550 5.1.1 user unknown', messageId: null, userId: user.id,
    }));
    const id = await notifyOne(user.id, 'Licence signed');
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await emailStatus(id)).toBe('suppressed');
    const list = await events(id);
    expect(names(list)).toEqual(expect.arrayContaining(['created', 'visible', 'email-claimed', 'email-suppressed']));
    expect(names(list)).not.toContain('email-sent');
    expect(names(list).indexOf('email-suppressed')).toBeGreaterThan(names(list).indexOf('email-claimed'));
    expect(sink.mailbox(user.email)).toHaveLength(0);
  });

  it('shows a provider\'s bounce reported through the generic webhook after the send', async () => {
    const user = await newUser('bounced');
    const id = await notifyOne(user.id, 'Royalty report');
    expect(await outboxDrained(t.app)).toBe(true);
    const messageId = sink.mailbox(user.email)[0]!.messageId;
    const posted = await bounceEvent(t, { email: user.email, messageId, secret: SECRET });
    expect(posted.status).toBe(200);
    const list = await events(id);
    expect(names(list)).toContain('bounced');
    expect(names(list).indexOf('bounced')).toBeGreaterThan(names(list).indexOf('email-sent'));
    expect(list.find((e) => e.stage === 'bounced')!.detail).toMatchObject({ provider: 'generic', permanent: true, emailLogId: expect.any(String) });
  });

  it('lists the digest whose window carried the notification, with its email\'s outcome', async () => {
    const user = await newUser('digest');
    expect((await t.call('PATCH', '/api/notifications/preferences', { as: user.session, body: { digestFrequency: 'DAILY' } })).status).toBe(200);
    const id = await notifyOne(user.id, 'Weekly numbers');
    expect(await outboxDrained(t.app)).toBe(true);
    expect(names(await events(id))).not.toContain('email-claimed');
    expect((await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'DAILY' } })).status).toBe(202);
    expect(await waitFor(async () => sink.mailbox(user.email).length === 1, 20_000)).toBe(true);
    expect(await outboxDrained(t.app)).toBe(true);
    const list = await events(id);
    const digest = list.find((e) => e.stage === 'digest');
    expect(digest?.detail).toMatchObject({ frequency: 'DAILY', status: 'sent', transport: 'smtp-1', messageId: sink.mailbox(user.email)[0]!.messageId });
    expect(names(list).indexOf('digest')).toBeGreaterThan(names(list).indexOf('created'));
  });

  it('shows an email held by quiet hours with the instant it waits for, and no claim yet', async () => {
    const user = await newUser('quiet');
    // Quiet from an hour ago to an hour ahead (UTC): the email waits in a delayed delivery run.
    const hh = (offset: number) => `${String((new Date().getUTCHours() + 24 + offset) % 24).padStart(2, '0')}:00`;
    const prefs = await t.call('PATCH', '/api/notifications/preferences', { as: user.session, body: { quietHours: { start: hh(-1), end: hh(2) } } });
    expect(prefs.status).toBe(200);
    const id = await notifyOne(user.id, 'Quiet please');
    // The held run stays open (delayed) until quiet hours end; settled = nothing else open.
    await waitFor(async () => (await t.app.database.db.selectFrom('outbox').select('id').where('job_id', 'like', 'quiet-%').where('payload', '@>', JSON.stringify({ notificationIds: [id] }) as never).execute()).length === 1, 10_000);
    const list = await events(id);
    const held = list.find((e) => e.stage === 'email-held');
    expect(held).toBeDefined();
    expect(Date.parse(String(held!.detail.heldUntil))).toBeGreaterThan(Date.now());
    expect(names(list)).not.toContain('email-claimed');
    expect(names(list).slice(0, 3)).toEqual(['created', 'visible', 'relayed']);
  });
});
