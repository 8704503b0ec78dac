import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

let t: TestApp;
let admin: Session;
let creators: Session[];
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp({ FANOUT_BATCH_SIZE: '100' });
  admin = await t.admin();
  creators = await Promise.all([t.user('CREATOR'), t.user('CREATOR')]);
  viewer = await t.user('VIEWER');
});
afterAll(() => t.close());

const count = async (where: { userId?: string; batchId?: string } = {}) => {
  let q = t.app.database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'));
  if (where.userId) q = q.where('user_id', '=', where.userId);
  if (where.batchId) q = q.where('batch_id', '=', where.batchId);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

const body = (extra: Record<string, unknown>) => ({ type: 'SYSTEM', title: 'Maintenance', message: 'Tonight at 22:00', ...extra });

describe('POST /api/admin/notifications', () => {
  it('creates notifications for a list of users at once, skipping and counting unknown users', async () => {
    const ghost = '00000000-0000-4000-8000-000000000001';
    const res = await t.call('POST', '/api/admin/notifications', {
      as: admin,
      body: body({ userIds: [creators[0]!.user.id, viewer.user.id, ghost], priority: 'HIGH', actionUrl: '/settings', metadata: { a: 1 } }),
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ success: true, data: { created: 2, skipped: 1, status: 'completed' } });
    const inbox = await t.call('GET', '/api/notifications', { as: viewer });
    expect(inbox.body.data[0]).toMatchObject({ type: 'SYSTEM', title: 'Maintenance', priority: 'HIGH', actionUrl: '/settings', metadata: { a: 1 } });
  });

  it('defaults priority to MEDIUM and keeps the critical flag hidden from users', async () => {
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ userIds: [creators[1]!.user.id], critical: true, title: 'Critical' }) });
    expect(res.status).toBe(202);
    const inbox = await t.call('GET', '/api/notifications', { as: creators[1]! });
    const item = inbox.body.data.find((n: { title: string }) => n.title === 'Critical');
    expect(item.priority).toBe('MEDIUM');
    expect(item).not.toHaveProperty('critical');
    const row = await t.app.database.db.selectFrom('notifications').select('critical').where('id', '=', item.id).executeTakeFirstOrThrow();
    expect(row.critical).toBe(true);
  });

  it('fans out to a role in the background, in batches, reaching exactly that role', async () => {
    // 250 more creators so the fan-out takes three pages of 100.
    const values = Array.from({ length: 250 }, (_, i) => ({ email: `bulk${i}@test.local`, role: 'CREATOR' as const, password_hash: 'x', name: null }));
    await t.app.database.db.insertInto('users').values(values).execute();
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ role: 'CREATOR', title: 'To creators' }) });
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ created: 0, status: 'pending' });
    const batchId = res.body.data.batchId as string;
    expect(await waitFor(async () => (await t.call('GET', `/api/admin/notifications/batches/${batchId}`, { as: admin })).body.data.status === 'completed', 15_000)).toBe(true);
    const batch = (await t.call('GET', `/api/admin/notifications/batches/${batchId}`, { as: admin })).body.data;
    expect(batch).toMatchObject({ status: 'completed', target: 'role', role: 'CREATOR', created: 252 });
    expect(await count({ batchId })).toBe(252);
    const viewerInbox = await t.call('GET', '/api/notifications?type=SYSTEM', { as: viewer });
    expect(viewerInbox.body.data.some((n: { title: string }) => n.title === 'To creators')).toBe(false);
    expect((await t.call('GET', '/api/notifications', { as: creators[0]! })).body.data.some((n: { title: string }) => n.title === 'To creators')).toBe(true);
  });

  it('fans out to everyone, and running the job again creates nothing more', async () => {
    const users = Number((await t.app.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ all: true, title: 'To all' }) });
    const batchId = res.body.data.batchId as string;
    expect(await waitFor(async () => (await t.app.services.notifications.getBatch(batchId)).status === 'completed', 15_000)).toBe(true);
    expect(await count({ batchId })).toBe(users);
    // A redelivered job (BullMQ stalled-job recovery) must not duplicate anything.
    await t.app.services.notifications.fanOutBatch(batchId);
    expect(await count({ batchId })).toBe(users);
  });

  it('repeating a call with the same idempotencyKey creates nothing more', async () => {
    const request = body({ userIds: [viewer.user.id], idempotencyKey: 'maint-2025-10-18' });
    const before = await count({ userId: viewer.user.id });
    const first = await t.call('POST', '/api/admin/notifications', { as: admin, body: request });
    const again = await Promise.all([1, 2, 3].map(() => t.call('POST', '/api/admin/notifications', { as: admin, body: request })));
    expect(first.body.data).toMatchObject({ created: 1, replayed: false });
    for (const res of again) {
      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ created: 0, replayed: true, batchId: first.body.data.batchId });
    }
    expect(await count({ userId: viewer.user.id })).toBe(before + 1);
    const roleKey = body({ role: 'VIEWER', idempotencyKey: 'role-once' });
    const r1 = await t.call('POST', '/api/admin/notifications', { as: admin, body: roleKey });
    const r2 = await t.call('POST', '/api/admin/notifications', { as: admin, body: roleKey });
    expect(r2.body.data).toMatchObject({ replayed: true, batchId: r1.body.data.batchId });
    expect(await waitFor(async () => (await t.app.services.notifications.getBatch(r1.body.data.batchId)).status === 'completed', 15_000)).toBe(true);
    expect(await count({ batchId: r1.body.data.batchId })).toBe(1);
  });

  it('refuses to reuse an idempotencyKey for a different request', async () => {
    await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ userIds: [viewer.user.id], idempotencyKey: 'k-1' }) });
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ userIds: [viewer.user.id], idempotencyKey: 'k-1', title: 'Other' }) });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ success: false, error: 'Idempotency key already used with a different request' });
  });

  it.each([
    [{ type: 'SYSTEM', title: 't', message: 'm' }, 'no target'],
    [{ type: 'SYSTEM', title: 't', message: 'm', all: true, role: 'ADMIN' }, 'two targets'],
    [{ type: 'SYSTEM', title: 't', message: 'm', all: false }, 'all must be true'],
    [{ type: 'NOPE', title: 't', message: 'm', all: true }, 'bad type'],
    [{ type: 'SYSTEM', title: '', message: 'm', all: true }, 'empty title'],
    [{ type: 'SYSTEM', title: 't', message: 'm', all: true, priority: 'SEVERE' }, 'bad priority'],
    [{ type: 'SYSTEM', title: 't', message: 'm', all: true, actionUrl: 'javascript:alert(1)' }, 'script url'],
    [{ type: 'SYSTEM', title: 't', message: 'm', role: 'ROOT' }, 'bad role'],
    [{ type: 'SYSTEM', title: 't', message: 'm', all: true, extra: 1 }, 'unknown key'],
  ] as Array<[Record<string, unknown>, string]>)('rejects %j (%s) with 400 and creates nothing', async (payload) => {
    const before = await count();
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: payload });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: expect.any(Array) });
    expect(await count()).toBe(before);
  });

  it('names invalid recipients', async () => {
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: body({ userIds: [viewer.user.id, 'bogus', 42] }) });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: unknown[] }) => d.path)).toEqual([['userIds', 1], ['userIds', 2]]);
  });

  it('is for admins only', async () => {
    for (const who of [creators[0]!, viewer]) {
      const res = await t.call('POST', '/api/admin/notifications', { as: who, body: body({ all: true }) });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ success: false, error: 'Forbidden: Admin access required' });
    }
    expect((await t.call('POST', '/api/admin/notifications', { body: body({ all: true }) })).status).toBe(401);
    expect((await t.call('GET', '/api/admin/notifications/batches/x', { as: viewer })).status).toBe(403);
    expect((await t.call('GET', '/api/admin/notifications/batches/x', { as: admin })).status).toBe(404);
  });
});
