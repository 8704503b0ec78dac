import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

// Issue 19, safe broadcasts: POST /api/admin/notifications/preview answers what the same body
// would do (audience, emails now / held for quiet hours / in a digest / none) and creates nothing.
// The proof that it applies the delivery's own rules: the real broadcast, run right after with an
// SMTP sink, does exactly what the preview said.

let sink: SmtpSink;
let t: TestApp;
let admin: Session;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://app.example.com' });
  admin = await t.admin();
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const db = () => t.app.database.db;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
/** Quiet hours around now in UTC (an hour either side): the delivery holds IMMEDIATE emails now. */
const quietNow = () => ({ start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000) });

async function recipient(prefs: Parameters<TestApp['app']['services']['notifications']['updatePreferences']>[1] | null, role: 'CREATOR' | 'BRAND' = 'CREATOR') {
  const user = await t.app.services.users.createUser({ email: `p${++n}-${randomUUID().slice(0, 6)}@mail.test`, password: 'password-123', role, name: `P ${n}` });
  if (prefs) await t.app.services.notifications.updatePreferences(user.id, prefs);
  return user;
}

const totals = async () => {
  const one = async (table: 'notifications' | 'notification_batches' | 'outbox' | 'email_log') =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { notifications: await one('notifications'), batches: await one('notification_batches'), outbox: await one('outbox'), emails: await one('email_log') };
};

/** No delivery or fan-out work waiting or running (quiet-hours jobs wait delayed, on purpose): counts stand still. */
async function quiet(): Promise<void> {
  expect(await waitFor(async () => {
    const open = Number((await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL AND (delay_until IS NULL OR delay_until <= now())`.execute(db())).rows[0]!.n);
    const counts = await Promise.all((['notification-delivery', 'notification-fanout', 'notification-digest'] as const)
      .map((q) => t.app.queues.get(q).getJobCounts('waiting', 'active', 'prioritized')));
    return open === 0 && counts.every((c) => Object.values(c).every((v) => v === 0));
  }, 15_000, 50)).toBe(true);
}

const preview = (body: Record<string, unknown>, as: Session | null = admin) =>
  t.call('POST', '/api/admin/notifications/preview', { as: as ?? undefined, body: { type: 'SYSTEM', message: 'Tonight at 22:00', ...body } });
const send = (body: Record<string, unknown>) =>
  t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', message: 'Tonight at 22:00', ...body } });

describe('POST /api/admin/notifications/preview', () => {
  it('forecasts exactly what the real broadcast then does: emails now, held for quiet hours, digests, none; audience and skipped', async () => {
    const others = NOTIFICATION_TYPES.filter((x) => x !== 'SYSTEM');
    const users = {
      now: [await recipient(null), await recipient(null), await recipient({ digestFrequency: 'IMMEDIATE' })],
      held: [await recipient({ quietHours: quietNow() }), await recipient({ quietHours: quietNow() })],
      digest: [await recipient({ digestFrequency: 'DAILY' }), await recipient({ digestFrequency: 'DAILY', quietHours: quietNow() })],
      none: [
        await recipient({ digestFrequency: 'DAILY', enabledTypes: others }), await recipient({ emailEnabled: false }),
        await recipient({ digestFrequency: 'NEVER' }), await recipient({ enabledTypes: others }), await recipient(null),
      ],
    };
    // The last of `none` has its address suppressed (a hard bounce): the claim logs it, nothing is sent.
    await db().insertInto('email_suppressions').values({ email: users.none[4]!.email, reason: 'hard-bounce', source: 'smtp' }).execute();
    const all = Object.values(users).flat();
    const ghost = '00000000-0000-4000-8000-00000000abcd';
    const body = { title: `Forecast ${randomUUID()}`, userIds: [...all.map((u) => u.id), ghost, all[0]!.id] };

    await quiet();
    const before = await totals();
    const res = await preview(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { audience: 12, skipped: 2, email: { now: 3, heldForQuietHours: 2, digest: 2, none: 5 }, idempotencyKeyUsed: false },
    });
    expect(await totals()).toEqual(before);

    const real = await send(body);
    expect(real.status).toBe(202);
    expect(real.body.data).toMatchObject({ created: 12, skipped: 2 });
    const batchId = real.body.data.batchId as string;
    const mailed = () => sink.received.filter((m) => m.subject.includes(body.title));
    // Emailed now: exactly the preview's `now`, to exactly those users.
    expect(await waitFor(async () => mailed().length >= 3, 15_000)).toBe(true);
    const heldIds = async () => Number((await sql<{ n: number }>`
      SELECT coalesce(sum(jsonb_array_length(o.payload -> 'notificationIds')), 0)::int AS n FROM outbox o
      WHERE o.job_name = 'NotificationsDeliver' AND (o.payload ->> 'held')::boolean
        AND o.payload -> 'notificationIds' ?| (SELECT array_agg(id::text) FROM notifications WHERE batch_id = ${batchId})`.execute(db())).rows[0]!.n);
    // Held: as many notifications in quiet-hours jobs (delayed to the end of the window) as the preview said.
    expect(await waitFor(async () => (await heldIds()) >= 2, 15_000)).toBe(true);
    const logged = async () => (await sql<{ status: string; n: number }>`
      SELECT e.status, count(*)::int AS n FROM email_log e JOIN notifications x ON x.id = e.notification_id WHERE x.batch_id = ${batchId} GROUP BY 1 ORDER BY 1`.execute(db())).rows;
    expect(await waitFor(async () => (await logged()).reduce((s, r) => s + r.n, 0) >= 4, 15_000)).toBe(true);
    expect(await waitFor(async () => (await t.app.queues.get('notification-delivery').getJobCounts('waiting', 'active', 'prioritized')).active === 0, 15_000)).toBe(true);
    expect(mailed().map((m) => m.to[0]).sort()).toEqual(users.now.map((u) => u.email).sort());
    expect(await heldIds()).toBe(2);
    expect(await logged()).toEqual([{ status: 'sent', n: 3 }, { status: 'suppressed', n: 1 }]);

    // In a digest: the DAILY run lists it for the preview's `digest` users and nobody else.
    await t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt: new Date(), trigger: 'manual' });
    const digests = () => sink.received.filter((m) => m.headers.has('x-herald-digest') && m.text.includes(body.title));
    expect(await waitFor(async () => digests().length >= 2, 15_000)).toBe(true);
    expect(await waitFor(async () => Number((await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outbox WHERE queue = 'notification-digest' AND completed_at IS NULL AND failed_at IS NULL`.execute(db())).rows[0]!.n) === 0, 15_000)).toBe(true);
    expect(digests().map((m) => m.to[0]).sort()).toEqual(users.digest.map((u) => u.email).sort());
  });

  it('counts a role as the fan-out reaches it, and agrees with the fan-out\'s result', async () => {
    const brands = [await recipient(null, 'BRAND'), await recipient({ digestFrequency: 'WEEKLY' }, 'BRAND'), await recipient({ emailEnabled: false }, 'BRAND')];
    const res = await preview({ title: 'To brands', role: 'BRAND', priority: 'URGENT' });
    expect(res.body.data).toEqual({ audience: brands.length, skipped: 0, email: { now: 1, heldForQuietHours: 0, digest: 1, none: 1 }, idempotencyKeyUsed: false });
    const everyone = Number((await db().selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect((await preview({ title: 'To all', all: true })).body.data.audience).toBe(everyone);
    const real = await send({ title: 'To brands', role: 'BRAND', priority: 'URGENT' });
    expect(await waitFor(async () => (await t.app.services.notifications.getBatch(real.body.data.batchId)).status === 'completed', 15_000)).toBe(true);
    expect((await t.app.services.notifications.getBatch(real.body.data.batchId)).created).toBe(brands.length);
  });

  it('creates nothing and leaves the idempotency key free; says when a key is used already', async () => {
    const user = await recipient(null);
    const body = { title: 'Keyed', userIds: [user.id], idempotencyKey: `preview-${randomUUID()}` };
    await quiet();
    const before = await totals();
    for (let i = 0; i < 3; i++) expect((await preview(body)).body.data).toMatchObject({ audience: 1, idempotencyKeyUsed: false });
    expect((await preview({ title: 'All', all: true, idempotencyKey: 'x' })).status).toBe(200);
    expect(await totals()).toEqual(before);
    const jobs = await t.app.queues.get('notification-fanout').getJobCounts('waiting', 'delayed', 'active', 'completed');
    expect(jobs).toEqual({ waiting: 0, delayed: 0, active: 0, completed: expect.any(Number) });
    // The key is not used up: the real request with it creates its notification.
    const real = await send(body);
    expect(real.body.data).toMatchObject({ created: 1, replayed: false });
    expect((await preview(body)).body.data.idempotencyKeyUsed).toBe(true);
  });

  it.each([
    [{ title: 't' }, 'no target'],
    [{ title: 't', all: true, role: 'ADMIN' }, 'two targets'],
    [{ title: '', all: true }, 'empty title'],
    [{ title: 't', all: true, priority: 'SEVERE' }, 'bad priority'],
    [{ title: 't', all: true, extra: 1 }, 'unknown key'],
    [{ title: 't', all: true, expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiry in the past (the service\'s check)'],
    [{ title: 't', userIds: ['not-a-uuid'] }, 'malformed id'],
  ] as Array<[Record<string, unknown>, string]>)('answers %j (%s) with the real broadcast\'s 400, word for word', async (body) => {
    await quiet();
    const before = await totals();
    const [p, real] = [await preview(body), await send(body)];
    expect(p.status).toBe(400);
    expect(p.body).toEqual(real.body);
    expect(await totals()).toEqual(before);
  });

  it('is for admins only', async () => {
    const viewer = await t.user('VIEWER');
    expect((await preview({ title: 't', all: true }, viewer)).status).toBe(403);
    expect((await preview({ title: 't', all: true }, null)).status).toBe(401);
  });
});
