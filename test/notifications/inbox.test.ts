import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_PRIORITIES, type NotificationPriority } from '../../src/platform/db/schema.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

let t: TestApp;
let alice: Session;
let bob: Session;

beforeAll(async () => {
  t = await createTestApp();
  [alice, bob] = await Promise.all([t.user('CREATOR'), t.user('BRAND')]);
});
afterAll(() => t.close());

const db = () => t.app.database.db;

/** Inserts a notification with exact fields (created_at, read state) for ordering tests. */
async function seed(userId: string, fields: { priority?: NotificationPriority; read?: boolean; createdAt?: Date; type?: string; title?: string } = {}) {
  const row = await db().insertInto('notifications').values({
    user_id: userId,
    type: (fields.type ?? 'SYSTEM') as 'SYSTEM',
    title: fields.title ?? 'Title',
    message: 'Message',
    priority: fields.priority ?? 'MEDIUM',
    read: fields.read ?? false,
    read_at: fields.read ? new Date('2025-01-01T00:00:00Z') : null,
    created_at: fields.createdAt ?? new Date(),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function clear(userId: string) {
  await db().deleteFrom('notifications').where('user_id', '=', userId).execute();
}

describe('GET /api/notifications', () => {
  it('orders unread before read, then URGENT > HIGH > MEDIUM > LOW, then newest, then id', async () => {
    await clear(alice.user.id);
    const base = Date.parse('2025-06-01T00:00:00Z');
    // Every read × priority combination, two timestamps each, plus an exact tie on created_at.
    for (const read of [true, false]) {
      for (const priority of NOTIFICATION_PRIORITIES) {
        await seed(alice.user.id, { read, priority, createdAt: new Date(base) });
        await seed(alice.user.id, { read, priority, createdAt: new Date(base + 60_000) });
        await seed(alice.user.id, { read, priority, createdAt: new Date(base + 60_000) });
      }
    }
    const res = await t.call('GET', '/api/notifications?pageSize=100', { as: alice });
    expect(res.status).toBe(200);
    const items = res.body.data as Array<{ id: string; read: boolean; priority: NotificationPriority; createdAt: string }>;
    expect(items).toHaveLength(24);
    const rank = (p: NotificationPriority) => NOTIFICATION_PRIORITIES.indexOf(p);
    const expected = [...items].sort((a, b) =>
      Number(a.read) - Number(b.read) || rank(b.priority) - rank(a.priority)
      || Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    expect(items.map((i) => i.id)).toEqual(expected.map((i) => i.id));
    expect(items[0]).toMatchObject({ read: false, priority: 'URGENT' });
    expect(items.at(-1)).toMatchObject({ read: true, priority: 'LOW' });
  });

  it('returns the contract fields and pagination metadata', async () => {
    await clear(alice.user.id);
    const id = await seed(alice.user.id, { type: 'LICENSE', title: 'New license' });
    const res = await t.call('GET', '/api/notifications', { as: alice });
    expect(res.body).toEqual({
      success: true,
      data: [{
        id, type: 'LICENSE', title: 'New license', message: 'Message', actionUrl: null, priority: 'MEDIUM',
        read: false, readAt: null, metadata: null, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        // Issue 17's additive fields.
        seen: false, seenAt: null, archived: false, archivedAt: null, snoozedUntil: null, expiresAt: null,
      }],
      pagination: { page: 1, pageSize: 20, total: 1, totalPages: 1 },
    });
    expect(res.body.data[0]).not.toHaveProperty('critical');
  });

  it('pages without overlap or gaps, and a page past the end is empty', async () => {
    await clear(alice.user.id);
    const same = new Date('2025-06-01T00:00:00Z');
    const ids = new Set<string>();
    for (let i = 0; i < 45; i++) ids.add(await seed(alice.user.id, { createdAt: same })); // all ties: id decides
    const seen: string[] = [];
    for (let page = 1; page <= 5; page++) {
      const res = await t.call('GET', `/api/notifications?page=${page}&pageSize=10`, { as: alice });
      expect(res.body.pagination).toEqual({ page, pageSize: 10, total: 45, totalPages: 5 });
      seen.push(...res.body.data.map((n: { id: string }) => n.id));
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen)).toEqual(ids);
    const past = await t.call('GET', '/api/notifications?page=9&pageSize=10', { as: alice });
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect(past.body.pagination).toEqual({ page: 9, pageSize: 10, total: 45, totalPages: 5 });
  });

  it('filters by read, type and priority, with totals of the filtered set', async () => {
    await clear(alice.user.id);
    await seed(alice.user.id, { type: 'PAYOUT', priority: 'HIGH', read: false });
    await seed(alice.user.id, { type: 'PAYOUT', priority: 'LOW', read: true });
    await seed(alice.user.id, { type: 'MESSAGE', priority: 'HIGH', read: false });
    const get = (q: string) => t.call('GET', `/api/notifications?${q}`, { as: alice });
    expect((await get('read=false')).body.pagination.total).toBe(2);
    expect((await get('read=true')).body.data.map((n: { read: boolean }) => n.read)).toEqual([true]);
    expect((await get('type=PAYOUT')).body.pagination.total).toBe(2);
    expect((await get('priority=HIGH')).body.pagination.total).toBe(2);
    const combined = await get('type=PAYOUT&priority=HIGH&read=false');
    expect(combined.body.data).toHaveLength(1);
    expect(combined.body.data[0]).toMatchObject({ type: 'PAYOUT', priority: 'HIGH', read: false });
  });

  it.each([
    'page=0', 'page=-1', 'page=abc', 'page=1.5', 'pageSize=0', 'pageSize=101', 'pageSize=x', 'read=yes', 'type=NOPE',
    'priority=CRITICAL', 'page=1&page=2',
  ])('rejects %s with 400 Invalid query parameters and zod details', async (query) => {
    const res = await t.call('GET', `/api/notifications?${query}`, { as: alice });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters' });
    expect(res.body.details[0]).toEqual(expect.objectContaining({ code: expect.any(String), path: expect.any(Array), message: expect.any(String) }));
  });

  it('shows only the caller\'s notifications', async () => {
    await clear(alice.user.id);
    await clear(bob.user.id);
    await seed(bob.user.id);
    const res = await t.call('GET', '/api/notifications', { as: alice });
    expect(res.body.data).toEqual([]);
    expect(res.body.pagination.total).toBe(0);
  });
});

describe('read state, counts and deletion', () => {
  it('marks read once: a second call keeps the first readAt', async () => {
    const id = await seed(alice.user.id);
    const first = await t.call('POST', `/api/notifications/${id}/read`, { as: alice });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, data: { id, read: true, readAt: expect.any(String) } });
    // Until the clock has passed the first readAt's millisecond: a second stamp would differ from it.
    expect(await waitFor(async () => Date.now() > Date.parse(first.body.data.readAt), 5_000, 1)).toBe(true);
    const second = await t.call('POST', `/api/notifications/${id}/read`, { as: alice });
    expect(second.body.data.readAt).toBe(first.body.data.readAt);
  });

  it('answers 404 Notification not found for another user\'s, a missing and a malformed id', async () => {
    const bobs = await seed(bob.user.id);
    for (const id of [bobs, '00000000-0000-4000-8000-000000000000', 'not-an-id', "1' OR '1'='1", '%E2%9C%93']) {
      const read = await t.call('POST', `/api/notifications/${id}/read`, { as: alice });
      expect(read.status).toBe(404);
      expect(read.body).toEqual({ success: false, error: 'Notification not found' });
      const del = await t.call('DELETE', `/api/notifications/${id}`, { as: alice });
      expect(del.status).toBe(404);
      expect(del.body).toEqual({ success: false, error: 'Notification not found' });
    }
    const still = await db().selectFrom('notifications').select(['read']).where('id', '=', bobs).executeTakeFirstOrThrow();
    expect(still.read).toBe(false);
  });

  it('counts unread, marks all read with the number changed, and leaves other users alone', async () => {
    await clear(alice.user.id);
    await clear(bob.user.id);
    await Promise.all([seed(alice.user.id), seed(alice.user.id), seed(alice.user.id, { read: true }), seed(bob.user.id)]);
    expect((await t.call('GET', '/api/notifications/unread-count', { as: alice })).body).toEqual({ success: true, data: { count: 2, unseen: 2 } });
    const all = await t.call('POST', '/api/notifications/read-all', { as: alice });
    expect(all.body).toEqual({ success: true, data: { count: 2 } });
    expect((await t.call('POST', '/api/notifications/read-all', { as: alice })).body.data.count).toBe(0);
    expect((await t.call('GET', '/api/notifications/unread-count', { as: alice })).body.data.count).toBe(0);
    expect((await t.call('GET', '/api/notifications/unread-count', { as: bob })).body.data.count).toBe(1);
  });

  it('deletes the caller\'s notification', async () => {
    const id = await seed(alice.user.id);
    expect((await t.call('DELETE', `/api/notifications/${id}`, { as: alice })).body).toEqual({ success: true });
    expect(await db().selectFrom('notifications').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect((await t.call('DELETE', `/api/notifications/${id}`, { as: alice })).status).toBe(404);
  });

  it('requires authentication on every inbox endpoint', async () => {
    const id = await seed(alice.user.id);
    for (const [method, path] of [
      ['GET', '/api/notifications'], ['GET', '/api/notifications/unread-count'], ['POST', `/api/notifications/${id}/read`],
      ['POST', '/api/notifications/read-all'], ['DELETE', `/api/notifications/${id}`], ['GET', '/api/notifications/preferences'],
      ['PATCH', '/api/notifications/preferences'],
    ] as const) {
      const res = await t.call(method, path);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ success: false, error: 'Unauthorized' });
      expect((await t.call(method, path, { as: 'x'.repeat(43) })).status).toBe(401);
    }
  });
});

/** The node types of an EXPLAIN (FORMAT JSON) plan, the root's and every descendant's. */
function planNodeTypes(node: { 'Node Type': string; Plans?: unknown[] }): string[] {
  return [node['Node Type'], ...(node.Plans ?? []).flatMap((child) => planNodeTypes(child as { 'Node Type': string; Plans?: unknown[] }))];
}

describe('schema for scale', () => {
  it('serves the page and the unread count from the inbox index (index-only for the count)', async () => {
    // 10,000 rows for one user among 40,000: the plans must not fall back to scanning the table.
    await sql`INSERT INTO notifications (user_id, type, title, message, priority, read, created_at)
      SELECT CASE WHEN g % 4 = 0 THEN ${alice.user.id}::uuid ELSE ${bob.user.id}::uuid END, 'SYSTEM', 't', 'm',
             (ARRAY['LOW','MEDIUM','HIGH','URGENT'])[1 + g % 4]::notification_priority, g % 3 = 0, now() - g * interval '1 minute'
      FROM generate_series(1, 40000) g`.execute(db());
    await sql`VACUUM ANALYZE notifications`.execute(db());
    // The statement the list endpoint runs: the page and its total in one round trip.
    const { inboxPageStatement, unreadCountStatement } = await import('../../src/notifications/inbox.repository.js');
    const statement = inboxPageStatement({ userId: alice.user.id }, 20, 0);
    const combined = await t.app.database.pool.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
    const page = JSON.stringify(combined.rows[0]);
    expect(page).toContain('notifications_feed_idx');
    // Every node of the plan by type: no sort of any kind (Sort, Incremental Sort), no table scan.
    const pageNodes = planNodeTypes(combined.rows[0]['QUERY PLAN'][0].Plan);
    expect(pageNodes.filter((type) => /Sort|Seq Scan/.test(type))).toEqual([]);
    expect(pageNodes).toContain('Index Scan');
    const unreadStatement = unreadCountStatement(alice.user.id);
    const unread = await t.app.database.pool.query(`EXPLAIN (FORMAT JSON) ${unreadStatement.text}`, unreadStatement.values);
    const count = JSON.stringify(unread.rows[0]);
    expect(count).toContain('Index Only Scan');
    expect(count).toContain('notifications_feed_idx');
  });
});
