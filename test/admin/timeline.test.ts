import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained } from '../helpers/wait.js';

// The message timeline (GET /api/admin/notifications/:id/timeline), the notification search and
// the email summary, end to end: a real SMTP sink, the real outbox relay and delivery worker.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, RATE_LIMIT_OVERRIDES: 'admin.jobs=2000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

async function newUser(prefix = 'tl') {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@mail.test`;
  const user = await t.app.services.users.createUser({ email, password: 'password-123', role: 'VIEWER' });
  return { ...user, session: await t.login(email, 'password-123') };
}

/** One notification to the user; its id (the notify API answers counts, the user's inbox the id). */
async function notifyOne(userId: string, title = 'Payout sent'): Promise<string> {
  await t.app.services.notifications.notify({ userIds: [userId], type: 'PAYOUT', title, message: `${title}: $120 on its way.` });
  const row = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', userId).where('title', '=', title).executeTakeFirstOrThrow();
  return row.id;
}

const timeline = (id: string, as: Session | string = admin) => t.call('GET', `/api/admin/notifications/${encodeURIComponent(id)}/timeline`, { as });
const stages = (body: { data: { events: Array<{ stage: string }> } }) => body.data.events.map((e) => e.stage);

describe('GET /api/admin/notifications/:id/timeline', () => {
  it('shows a notification\'s whole life in time order: created, relayed, sent by smtp-1 with the server\'s answer, seen, read', async () => {
    const user = await newUser();
    const id = await notifyOne(user.id);
    expect(await outboxDrained(t.app)).toBe(true);
    expect(sink.mailbox(user.email)).toHaveLength(1);
    expect((await t.call('POST', '/api/notifications/seen-all', { as: user.session })).status).toBe(200);
    expect((await t.call('POST', `/api/notifications/${id}/read`, { as: user.session })).status).toBe(200);

    const res = await timeline(id);
    expect(res.status).toBe(200);
    expect(res.body.data.notification).toMatchObject({ id, userId: user.id, userEmail: user.email, type: 'PAYOUT', title: 'Payout sent', critical: false });
    const events = res.body.data.events as Array<{ at: string; stage: string; detail: Record<string, unknown> }>;
    // Every stage once, in this order (the relay and the job's end come from the outbox row).
    expect(stages(res.body)).toEqual(['created', 'visible', 'relayed', 'email-claimed', 'email-sent', 'delivery-job-done', 'seen', 'read']);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const sent = events.find((e) => e.stage === 'email-sent')!;
    expect(sent.detail).toMatchObject({ transport: 'smtp-1', to: user.email, attempts: 1 });
    expect(String(sent.detail.smtpResponse)).toMatch(/^250 /);
    expect(sent.detail.messageId).toBe(sink.mailbox(user.email)[0]!.messageId);
    const relayed = events.find((e) => e.stage === 'relayed')!;
    expect(relayed.detail).toMatchObject({ held: false, outboxId: expect.any(String) });
  });

  it('answers another admin, refuses a non-admin (403) and does not find unknown or malformed ids (404, never 500)', async () => {
    const user = await newUser('access');
    const id = await notifyOne(user.id, 'Access check');
    const email = `admin2-${randomUUID().slice(0, 8)}@mail.test`;
    await t.app.services.users.createUser({ email, password: 'password-123', role: 'ADMIN' });
    const other = await t.login(email, 'password-123');
    expect((await timeline(id, other)).status).toBe(200);
    // Not even the notification's own user: the timeline is an admin's tool.
    const denied = await timeline(id, user.session);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ success: false, error: 'Forbidden: Admin access required' });
    expect((await t.call('GET', `/api/admin/notifications/${id}/timeline`)).status).toBe(401);
    for (const bad of [randomUUID(), 'not-an-id', "1' OR '1'='1", '%', `${id}x`, id.toUpperCase().replace(/-/g, '')]) {
      const res = await timeline(bad);
      expect(res.status, bad).toBe(404);
      expect(res.body, bad).toEqual({ success: false, error: 'Notification not found' });
    }
    // Past Fastify's maxParamLength no route matches: still the contract's 404 body.
    const long = await timeline('x'.repeat(500));
    expect(long.status).toBe(404);
    expect(long.body).toMatchObject({ success: false });
  });
});

describe('GET /api/admin/notifications (search)', () => {
  it('finds by id, by user id and by the user\'s email (any case), newest first, paginated; only that user\'s', async () => {
    const user = await newUser('search');
    const bystander = await newUser('bystander');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await notifyOne(user.id, `Search ${i}`));
    await notifyOne(bystander.id, 'Not yours');
    const newestFirst = [...ids].reverse();

    const byId = await t.call('GET', `/api/admin/notifications?id=${ids[2]}`, { as: admin });
    expect(byId.status).toBe(200);
    expect(byId.body.data.map((n: { id: string }) => n.id)).toEqual([ids[2]]);
    expect(byId.body.data[0]).toMatchObject({ userId: user.id, userEmail: user.email, title: 'Search 3' });

    const byUser = await t.call('GET', `/api/admin/notifications?userId=${user.id}&pageSize=2`, { as: admin });
    expect(byUser.body.data.map((n: { id: string }) => n.id)).toEqual(newestFirst.slice(0, 2));
    expect(byUser.body.pagination).toEqual({ page: 1, pageSize: 2, total: 5, totalPages: 3 });
    const page3 = await t.call('GET', `/api/admin/notifications?userId=${user.id}&pageSize=2&page=3`, { as: admin });
    expect(page3.body.data.map((n: { id: string }) => n.id)).toEqual(newestFirst.slice(4));
    const past = await t.call('GET', `/api/admin/notifications?userId=${user.id}&pageSize=2&page=9`, { as: admin });
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect(past.body.pagination.total).toBe(5);

    const byEmail = await t.call('GET', `/api/admin/notifications?email=${encodeURIComponent(user.email.toUpperCase())}`, { as: admin });
    expect(byEmail.body.data.map((n: { id: string }) => n.id)).toEqual(newestFirst);
  });

  it('matches an email exactly (no wildcards), finds nothing for malformed ids, and wants exactly one of id, userId, email (400)', async () => {
    const user = await newUser('exact');
    await notifyOne(user.id, 'Exact');
    for (const q of ['email=%25', 'email=_%25', `email=${encodeURIComponent(user.email.slice(0, 5))}`, 'id=nope', 'userId=nope', `id=${randomUUID()}`]) {
      const res = await t.call('GET', `/api/admin/notifications?${q}`, { as: admin });
      expect(res.status, q).toBe(200);
      expect(res.body.data, q).toEqual([]);
      expect(res.body.pagination.total, q).toBe(0);
    }
    for (const q of ['', `id=${randomUUID()}&userId=${user.id}`, 'page=0&email=a@b.c', 'pageSize=101&email=a@b.c', 'email=']) {
      const res = await t.call('GET', `/api/admin/notifications?${q}`, { as: admin });
      expect(res.status, q).toBe(400);
      expect(res.body, q).toMatchObject({ success: false, error: 'Invalid query parameters' });
    }
    expect((await t.call('GET', `/api/admin/notifications?userId=${user.id}`, { as: user.session })).status).toBe(403);
  });
});

describe('GET /api/admin/emails/summary', () => {
  it('counts the last hours\' emails by outcome and by transport; bad hours are a 400, non-admins a 403', async () => {
    // Earlier tests' emails settled first: the difference is then this test's two.
    expect(await outboxDrained(t.app)).toBe(true);
    const before = await t.call('GET', '/api/admin/emails/summary?hours=24', { as: admin });
    expect(before.status).toBe(200);
    const user = await newUser('summary');
    await notifyOne(user.id, 'Summary one');
    await notifyOne(user.id, 'Summary two');
    expect(await outboxDrained(t.app)).toBe(true);
    await waitFor(async () => (await t.app.database.db.selectFrom('email_log').select('id').where('user_id', '=', user.id).where('status', '=', 'sent').execute()).length === 2, 10_000);
    const after = await t.call('GET', '/api/admin/emails/summary', { as: admin });
    expect(after.status).toBe(200);
    expect(after.body.data.hours).toBe(24);
    expect(after.body.data.byStatus.sent).toBe((before.body.data.byStatus.sent ?? 0) + 2);
    expect(after.body.data.byTransport['smtp-1']).toBe((before.body.data.byTransport['smtp-1'] ?? 0) + 2);
    expect(after.body.data.total).toBe(before.body.data.total + 2);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(after.body.data.byStatus)).toBe(after.body.data.total);
    expect(sum(after.body.data.byTransport)).toBe(after.body.data.total);
    for (const q of ['hours=0', 'hours=721', 'hours=abc', 'hours=-1', 'hours=1.5']) {
      expect((await t.call('GET', `/api/admin/emails/summary?${q}`, { as: admin })).status, q).toBe(400);
    }
    expect((await t.call('GET', '/api/admin/emails/summary', { as: user.session })).status).toBe(403);
  });
});
