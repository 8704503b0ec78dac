import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { bulk, counts, list, seed } from './inbox-fixtures.js';

// Issue 17's bulk actions through HTTP: bounds, other users' ids, each action, and exact counts under
// concurrent requests over the same ids ("counts exact at any size", "counts under concurrent bulk actions").

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const db = () => t.app.database.db;
const rowsOf = (ids: readonly string[]) => db().selectFrom('notifications').select(['id', 'read', 'read_at', 'seen_at', 'archived_at']).where('id', 'in', ids).execute();

describe('POST /api/notifications/bulk: the request', () => {
  it.each([
    ['no ids', () => ({ ids: [], action: 'read' }), ['ids']],
    ['101 ids', () => ({ ids: Array.from({ length: 101 }, () => randomUUID()), action: 'read' }), ['ids']],
    ['a malformed id', () => ({ ids: [randomUUID(), 'not-an-id'], action: 'read' }), ['ids', 1]],
    ['an id that is not a string', () => ({ ids: [42], action: 'read' }), ['ids', 0]],
    ['an unknown action', () => ({ ids: [randomUUID()], action: 'snooze' }), ['action']],
    ['no action', () => ({ ids: [randomUUID()] }), ['action']],
  ])('%s is 400 Invalid request body naming the field', async (_label, body, path) => {
    const user = await t.user();
    const res = await t.call('POST', '/api/notifications/bulk', { as: user, body: body() });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: expect.arrayContaining([expect.objectContaining({ path })]) });
  });

  it('an unknown field is 400 naming it', async () => {
    const user = await t.user();
    const res = await t.call('POST', '/api/notifications/bulk', { as: user, body: { ids: [randomUUID()], action: 'read', all: true } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: [expect.objectContaining({ code: 'unrecognized_keys', keys: ['all'] })] });
  });

  it('100 ids is accepted; ids of other users or of nothing count as not found and are left alone', async () => {
    const [user, other] = await Promise.all([t.user(), t.user()]);
    const mine = await seed(t, user.user.id, 60);
    const theirs = await seed(t, other.user.id, 30);
    const ids = [...mine, ...theirs, ...Array.from({ length: 10 }, () => randomUUID())];
    expect(ids).toHaveLength(100);
    for (const action of ['read', 'archive', 'delete']) {
      const res = await bulk(t, user, ids, action);
      expect(res.status, action).toBe(200);
      expect(res.body, action).toEqual({ success: true, data: { count: 60 } });
    }
    const untouched = await rowsOf(theirs);
    expect(untouched).toHaveLength(30);
    for (const row of untouched) expect(row).toMatchObject({ read: false, read_at: null, seen_at: null, archived_at: null });
    expect(await counts(t, other)).toEqual({ count: 30, unseen: 30 });
    expect((await list(t, user, 'archived=all')).total).toBe(0);
  });
});

describe('each action', () => {
  it('read, unread, seen, archive, unarchive and delete: count is how many changed, a repeat changes none', async () => {
    const user = await t.user();
    const ids = await seed(t, user.user.id, 5);
    const [readAlready] = await seed(t, user.user.id, 1, { read: true });
    const all = [...ids, readAlready!, ids[0]!]; // a repeated id is one notification
    const step = async (action: string, expected: number) => {
      const res = await bulk(t, user, all, action);
      expect(res.status, action).toBe(200);
      expect(res.body.data.count, action).toBe(expected);
      expect((await bulk(t, user, all, action)).body.data.count, `${action} again`).toBe(0);
    };
    await step('seen', 5);
    expect(await counts(t, user)).toEqual({ count: 5, unseen: 0 });
    await step('read', 5);
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    expect((await rowsOf(ids)).every((r) => r.read && r.read_at !== null && r.seen_at !== null)).toBe(true);
    await step('unread', 6);
    expect(await counts(t, user)).toEqual({ count: 6, unseen: 0 }); // seen stays
    await step('archive', 6);
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    expect((await list(t, user)).total).toBe(0);
    expect((await list(t, user, 'archived=true')).total).toBe(6);
    await step('unarchive', 6);
    expect(await counts(t, user)).toEqual({ count: 6, unseen: 0 });
    await step('delete', 6);
    expect((await list(t, user, 'archived=all')).total).toBe(0);
  });

  it('leaves expired notifications alone (they are gone for their user)', async () => {
    const user = await t.user();
    const [gone] = await seed(t, user.user.id, 1, { expiresAt: new Date(Date.now() - 1_000) });
    const [live] = await seed(t, user.user.id, 1);
    for (const action of ['read', 'archive', 'delete']) {
      expect((await bulk(t, user, [gone!, live!], action)).body.data.count, action).toBe(1);
    }
    expect(await rowsOf([gone!])).toEqual([expect.objectContaining({ read: false, archived_at: null })]);
  });
});

/** Runs requests all at once; every one must answer 200 (a deadlock or a lock error is a 500). */
async function together(requests: ReadonlyArray<() => Promise<{ status: number; body: { data?: { count?: number } } }>>): Promise<number[]> {
  const results = await Promise.all(requests.map((r) => r()));
  expect(results.map((r) => r.status), JSON.stringify(results.filter((r) => r.status !== 200).map((r) => r.body))).toEqual(results.map(() => 200));
  return results.map((r) => r.body.data!.count!);
}
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('concurrent bulk requests over the same ids', () => {
  it('10 parallel reads of the same 50: the counts add up to exactly 50, and unread-count is exact', async () => {
    const user = await t.user();
    const ids = await seed(t, user.user.id, 50);
    const others = await seed(t, user.user.id, 7);
    const results = await together(Array.from({ length: 10 }, () => () => bulk(t, user, ids, 'read')));
    expect(sum(results)).toBe(50);
    expect(await counts(t, user)).toEqual({ count: 7, unseen: 7 });
    expect((await list(t, user, 'read=false')).items.map((n) => n.id).sort()).toEqual([...others].sort());
  });

  it('overlapping archive, read, seen and delete requests (different windows of 100 ids) stay exact', async () => {
    const user = await t.user();
    const ids = await seed(t, user.user.id, 200);
    const window = (from: number) => ids.slice(from, from + 100);
    // Windows overlap two by two; deletes only over their own quarter, after which the rest is exact.
    const archive = [0, 50, 100].map((from) => () => bulk(t, user, window(from), 'archive'));
    const read = [0, 25, 75, 100].map((from) => () => bulk(t, user, window(from), 'read'));
    const seen = [0, 100].map((from) => () => bulk(t, user, window(from), 'seen'));
    const counted = await together([...archive, ...read, ...seen]);
    expect(sum(counted.slice(0, 3))).toBe(200); // every id is in some archive window, each counted once
    expect(sum(counted.slice(3, 7))).toBe(200);
    // Read implies seen: a row read before its seen request was not unseen any more.
    const rows = await rowsOf(ids);
    expect(rows.every((r) => r.read && r.seen_at !== null && r.archived_at !== null)).toBe(true);
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
    expect((await list(t, user, 'archived=true')).total).toBe(200);
  });

  it('read/unread and archive/unarchive fighting over the same ids, with read-all and seen-all: no failure, every change counted once', async () => {
    // Eight users at once, each its own fight: more chances for the lock orders to cross (locked in
    // scan order, about one run in three deadlocked with three users, four runs of four with eight).
    await Promise.all(Array.from({ length: 8 }, async () => fight(await t.user())));
  });
});

/** Two rounds of twelve requests at once over one user's 60 notifications; then the books must balance. */
async function fight(user: Session): Promise<void> {
  const ids = await seed(t, user.user.id, 60);
  const actions = ['read', 'unread', 'archive', 'unarchive', 'read', 'archive', 'unread', 'unarchive', 'read', 'seen'];
  const tally: Record<string, number> = {};
  for (let round = 0; round < 2; round++) {
    const windows = actions.map((a, i) => ({ a, ids: ids.slice((i * 7 + round * 13) % 20, 40 + ((i * 7 + round * 13) % 20)) }));
    const results = await together([
      ...windows.map(({ a, ids: some }) => () => bulk(t, user, some, a)),
      // The user-wide writes of the same rows, found in another order (the feed index's).
      () => t.call('POST', '/api/notifications/read-all', { as: user }),
      () => t.call('POST', '/api/notifications/seen-all', { as: user }),
    ]);
    windows.forEach(({ a }, i) => { tally[a] = (tally[a] ?? 0) + results[i]!; });
    tally['read-all'] = (tally['read-all'] ?? 0) + results[windows.length]!;
  }
  const rows = await rowsOf(ids);
  const read = rows.filter((r) => r.read).length;
  const archived = rows.filter((r) => r.archived_at !== null).length;
  // Each row starts unread and unarchived: what is read now was read once more than unread.
  expect(tally.read! + tally['read-all']! - tally.unread!).toBe(read);
  expect(tally.archive! - tally.unarchive!).toBe(archived);
  const feedUnread = rows.filter((r) => !r.read && r.archived_at === null);
  expect(await counts(t, user)).toEqual({ count: feedUnread.length, unseen: feedUnread.filter((r) => r.seen_at === null).length });
  expect((await list(t, user, 'read=false')).total).toBe(feedUnread.length);
}
