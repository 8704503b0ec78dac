import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError } from '../../src/platform/errors.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, bulk, counts, ids, list, nextChange, nextEvent, seed } from './inbox-fixtures.js';

// Issue 17's expiry and retention: expiresAt on create (admin API and notify()), gone from lists
// and counts at that instant, told to open streams, purged later with old read rows, in batches.

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  // No scheduler: the hourly purge must not run in the middle of a test; the test runs it.
  t = await createTestApp({ NOTIFICATION_PURGE_BATCH: '100', NOTIFICATION_RETENTION_DAYS: '30' }, { roles: ['api', 'worker'] });
  admin = await t.admin();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const create = (body: Record<string, unknown>) =>
  t.call('POST', '/api/admin/notifications', { as: admin, body: { type: 'SYSTEM', title: 'Flash sale', message: 'm', ...body } });

describe('expiresAt on create', () => {
  it.each([
    ['in the past', () => at(-60_000)],
    ['more than a year ahead', () => at(367 * DAY)],
    ['not an instant', () => 'next week'],
    ['without an offset', () => '2099-01-01T00:00:00'],
  ])('POST /api/admin/notifications with expiresAt %s is 400 naming expiresAt, and creates nothing', async (_label, expiresAt) => {
    const user = await t.user();
    const res = await create({ userIds: [user.user.id], expiresAt: expiresAt() });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: [expect.objectContaining({ path: ['expiresAt'] })] });
    expect((await list(t, user)).total).toBe(0);
  });

  it('notify() refuses the same, with the same error (also for a date that does not parse)', async () => {
    const user = await t.user();
    for (const expiresAt of [at(-60_000), at(367 * DAY), 'next week', new Date(Number.NaN)]) {
      const refused = await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'x', message: 'm', expiresAt }).catch((err: unknown) => err);
      expect(refused, String(expiresAt)).toBeInstanceOf(InvalidError);
      expect((refused as InvalidError).details).toEqual([expect.objectContaining({ path: ['expiresAt'] })]);
    }
    expect((await list(t, user)).total).toBe(0);
  });

  it('is shown on the notification, through both the admin API and notify()', async () => {
    const user = await t.user();
    const viaApi = at(365 * DAY);
    expect((await create({ userIds: [user.user.id], expiresAt: viaApi, title: 'api' })).status).toBe(202);
    const viaNotify = new Date(Date.now() + 30 * DAY);
    await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'notify', message: 'm', expiresAt: viaNotify });
    const page = await list(t, user);
    expect(page.items.find((n) => n.title === 'api')!.expiresAt).toBe(viaApi);
    expect(page.items.find((n) => n.title === 'notify')!.expiresAt).toBe(viaNotify.toISOString());
  });
});

describe('at expiresAt', () => {
  it('visible before, gone from list and counts right after (no job needed), and open streams hear it', async () => {
    const user = await t.user();
    const stream = await SseClient.open(t.url, user);
    try {
      await nextEvent(stream);
      const expiresAt = at(2_500);
      expect((await create({ userIds: [user.user.id], expiresAt, title: 'Soon gone' })).status).toBe(202);
      await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'PAYOUT', title: 'Also soon gone', message: 'm', expiresAt });
      const [stays] = await seed(t, user.user.id, 1, { type: 'PAYOUT' });
      const before = await list(t, user);
      expect(before.total).toBe(3);
      expect(Date.now()).toBeLessThan(Date.parse(expiresAt)); // else "before" proved nothing
      const doomed = before.items.filter((n) => n.id !== stays).map((n) => n.id);
      expect(await counts(t, user, true)).toMatchObject({ count: 3, byType: expect.objectContaining({ SYSTEM: 1, PAYOUT: 2 }) });

      expect(await waitFor(async () => Date.now() >= Date.parse(expiresAt), 5_000, 1)).toBe(true);
      // The instant has passed: gone, whatever the jobs have done.
      expect(ids(await list(t, user, 'archived=all'))).toEqual([stays]);
      expect(await counts(t, user, true)).toMatchObject({ count: 1, unseen: 1, byType: expect.objectContaining({ SYSTEM: 0, PAYOUT: 1 }) });
      expect((await list(t, user, 'types=SYSTEM')).total).toBe(0);

      // Each creation's expiry job tells the stream its ids (two batches: two events), then the count.
      const told: string[] = [];
      while (told.length < 2) {
        const change = await nextChange(stream, 15_000);
        if (change.action === 'expire') told.push(...change.ids);
      }
      expect(told.sort()).toEqual([...doomed].sort());
      expect(await nextEvent(stream)).toEqual({ event: 'unread-count', data: { count: 1, unseen: 1 } });
    } finally {
      stream.close();
    }
  });

  it('every action on an expired notification is 404; it is not deleted until the purge', async () => {
    const user = await t.user();
    const [gone] = await seed(t, user.user.id, 1, { expiresAt: new Date(Date.now() - 1_000) });
    for (const action of ['read', 'unread', 'archive', 'unarchive', 'unsnooze']) {
      expect((await act(t, user, gone!, action)).status, action).toBe(404);
    }
    expect((await act(t, user, gone!, 'snooze', { until: at(DAY) })).status).toBe(404);
    expect((await t.call('DELETE', `/api/notifications/${gone}`, { as: user })).status).toBe(404);
    expect((await t.call('POST', '/api/notifications/read-all', { as: user })).body.data).toEqual({ count: 0 });
    expect((await t.call('POST', '/api/notifications/seen-all', { as: user })).body.data).toEqual({ count: 0 });
    const row = await t.app.database.db.selectFrom('notifications').select(['read', 'seen_at']).where('id', '=', gone!).executeTakeFirst();
    expect(row).toEqual({ read: false, seen_at: null });
  });
});

describe('the retention purge (NotificationsPurge)', () => {
  it('deletes expired rows and read rows older than NOTIFICATION_RETENTION_DAYS in batches; keeps unread old rows and recent read ones', async () => {
    const user = await t.user();
    const old = new Date(Date.now() - 31 * DAY);
    const expired = await seed(t, user.user.id, 130, { expiresAt: new Date(Date.now() - 60_000) });
    const oldRead = await seed(t, user.user.id, 250, { read: true, createdAt: old });
    const oldUnread = await seed(t, user.user.id, 20, { createdAt: old });
    const recentRead = await seed(t, user.user.id, 10, { read: true, createdAt: new Date(Date.now() - 29 * DAY) });
    const expiresLater = await seed(t, user.user.id, 5, { read: true, expiresAt: new Date(Date.now() + DAY) });
    const expiredElsewhere = Number((await t.app.database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '<=', new Date()).where('user_id', '!=', user.user.id).executeTakeFirstOrThrow()).n);

    const job = await t.app.queues.get('notification-inbox').add('NotificationsPurge', {});
    expect(await waitFor(async () => (await job.getState()) === 'completed', 20_000)).toBe(true);
    const done = await t.app.queues.get('notification-inbox').getJob(job.id!);
    // NOTIFICATION_PURGE_BATCH=100: more than a batch of each, so several statements of each kind.
    expect(done!.returnvalue).toEqual({ expired: 130 + expiredElsewhere, read: 250, cutoff: expect.any(String) });
    expect(Date.parse(done!.returnvalue.cutoff)).toBeCloseTo(Date.now() - 30 * DAY, -5);

    const left = new Set((await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', user.user.id).execute()).map((r) => r.id));
    for (const id of [...expired, ...oldRead]) expect(left.has(id), id).toBe(false);
    for (const id of [...oldUnread, ...recentRead, ...expiresLater]) expect(left.has(id), id).toBe(true);
    expect(left.size).toBe(35);
    expect(await counts(t, user)).toEqual({ count: 20, unseen: 20 });
  });
});

describe('deleting notifications that were emailed', () => {
  it('finds their email_log rows by index: neither the purge nor a bulk delete scans the log once per notification', async () => {
    const db = t.app.database.db;
    const user = await t.user();
    // A log of some size (the planner reads small tables whole anyway), 100 of its rows naming
    // notifications the purge will delete and 100 naming ones the user deletes.
    await sql`INSERT INTO email_log (key, kind, user_id, to_address, subject, status, message_id)
      SELECT 'digest:probe:' || g, 'digest', ${user.user.id}, 'p@test.local', 's', 'sent', 'm' || g FROM generate_series(1, 20000) g`.execute(db);
    const purged = await seed(t, user.user.id, 100, { read: true, createdAt: new Date(Date.now() - 31 * DAY) });
    const deleted = await seed(t, user.user.id, 100);
    await sql`INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id)
      SELECT 'notification:' || id, 'notification', id, ${user.user.id}, 'p@test.local', 's', 'sent', 'n' || id
      FROM notifications WHERE id = ANY(${[...purged, ...deleted]}::uuid[])`.execute(db);
    await sql`ANALYZE email_log`.execute(db);
    const scans = async () => (await sql<{ seq: number; idx: number }>`
      SELECT seq_scan::int AS seq, coalesce(idx_scan, 0)::int AS idx FROM pg_stat_user_tables WHERE relname = 'email_log'`.execute(db)).rows[0]!;
    const before = await scans();

    const job = await t.app.queues.get('notification-inbox').add('NotificationsPurge', {});
    expect(await waitFor(async () => (await job.getState()) === 'completed', 60_000)).toBe(true);
    expect((await bulk(t, user, deleted, 'delete')).body.data).toEqual({ count: 100 });
    // Each deleted notification's log rows are looked up once (ON DELETE SET NULL): 200 lookups,
    // counted once the deleting connections have flushed their statistics (within seconds).
    const lookups = async () => { const now = await scans(); return { seq: now.seq - before.seq, idx: now.idx - before.idx }; };
    expect(await waitFor(async () => { const l = await lookups(); return l.seq + l.idx >= 200; }, 20_000, 200)).toBe(true);
    expect((await lookups()).seq).toBeLessThan(20);
    const logged = await db.selectFrom('email_log').select('notification_id').where('key', 'in', [...purged, ...deleted].map((id) => `notification:${id}`)).execute();
    expect(logged).toHaveLength(200);
    expect(logged.every((r) => r.notification_id === null)).toBe(true);
  }, 90_000);
});

describe('the retention schedule', () => {
  it('is listed by GET /api/admin/jobs/schedulers and in the email group of the jobs health', async () => {
    const full = await createTestApp(); // with a scheduler role
    try {
      const boss = await full.admin();
      const res = await full.call('GET', '/api/admin/jobs/schedulers', { as: boss });
      expect(res.status).toBe(200);
      expect(res.body.data.find((s: { id: string }) => s.id === 'notification-retention')).toMatchObject({
        queue: 'notification-inbox', job: 'NotificationsPurge', pattern: '40 * * * *', tz: 'UTC', registered: true, overdue: false,
        nextRun: expect.stringMatching(/:40:00\.000Z$/), description: expect.stringContaining('NOTIFICATION_RETENTION_DAYS'),
      });
      const health = await full.call('GET', '/api/admin/jobs/health', { as: boss });
      expect(health.body.data.email.schedules).toContainEqual(expect.objectContaining({ id: 'notification-retention', pattern: '40 * * * *', overdue: false }));
      expect(health.body.data.email.workers['notification-inbox']).toMatchObject({ isRunning: true });
    } finally {
      await full.close();
    }
  });
});
