import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { act, counts, ids, list, seed } from './inbox-fixtures.js';

// Issue 17 through HTTP, as a client of the API sees it: seen vs read, mark unread, archive, tabs.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const HOUR = 3_600_000;

describe('seen and read', () => {
  it('seen-all marks the unread feed seen and says how many changed; a second call changes none', async () => {
    const user = await t.user();
    const feed = await seed(t, user.user.id, 3);
    await seed(t, user.user.id, 1, { read: true });
    const [archived] = await seed(t, user.user.id, 1, { archivedAt: new Date() });
    const [snoozed] = await seed(t, user.user.id, 1, { snoozedUntil: new Date(Date.now() + HOUR) });
    expect(await counts(t, user)).toEqual({ count: 3, unseen: 3 });

    const first = await t.call('POST', '/api/notifications/seen-all', { as: user });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, data: { count: 3 } });
    expect(await counts(t, user)).toEqual({ count: 3, unseen: 0 });
    const page = await list(t, user, 'read=false');
    expect(new Set(ids(page))).toEqual(new Set(feed));
    for (const n of page.items) expect(n).toMatchObject({ read: false, readAt: null, seen: true, seenAt: expect.any(String) });

    expect((await t.call('POST', '/api/notifications/seen-all', { as: user })).body.data).toEqual({ count: 0 });
    // Out of the feed, so never shown: neither an archived nor a snoozed notification became seen.
    const rows = await t.app.database.db.selectFrom('notifications').select(['id', 'seen_at']).where('id', 'in', [archived!, snoozed!]).execute();
    expect(rows.map((r) => r.seen_at)).toEqual([null, null]);
  });

  it('marking read also marks seen, and the counts follow exactly', async () => {
    const user = await t.user();
    const [a, b, c] = await seed(t, user.user.id, 3);
    expect((await t.call('POST', '/api/notifications/seen-all', { as: user })).body.data.count).toBe(3);
    const [d] = await seed(t, user.user.id, 1);
    expect(await counts(t, user)).toEqual({ count: 4, unseen: 1 });

    const read = await act(t, user, d!, 'read');
    expect(read.status).toBe(200);
    expect(await counts(t, user)).toEqual({ count: 3, unseen: 0 });
    const view = (await list(t, user)).items.find((n) => n.id === d)!;
    expect(view).toMatchObject({ read: true, seen: true, readAt: read.body.data.readAt, seenAt: read.body.data.readAt });
    // A notification seen earlier keeps the moment it was first seen.
    const seenA = (await list(t, user)).items.find((n) => n.id === a)!.seenAt;
    await act(t, user, a!, 'read');
    expect((await list(t, user)).items.find((n) => n.id === a)).toMatchObject({ read: true, seenAt: seenA });
    expect(await counts(t, user)).toEqual({ count: 2, unseen: 0 });
    for (const id of [b, c]) await act(t, user, id!, 'read');
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
  });

  it('mark unread answers the notification unread with readAt null; seen stays', async () => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id, 1);
    const read = await act(t, user, id!, 'read');
    const unread = await act(t, user, id!, 'unread');
    expect(unread.status).toBe(200);
    expect(unread.body).toEqual({
      success: true,
      data: expect.objectContaining({ id, read: false, readAt: null, seen: true, seenAt: read.body.data.readAt, archived: false }),
    });
    expect((await list(t, user)).items[0]).toEqual(unread.body.data);
    expect(await counts(t, user)).toEqual({ count: 1, unseen: 0 });
    // Already unread: answered as it is.
    const again = await act(t, user, id!, 'unread');
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(unread.body.data);
  });

  it.each(['unread', 'archive', 'unarchive', 'unsnooze'])('%s: another user\'s, a missing or a malformed id is 404 Notification not found', async (action) => {
    const [user, other] = await Promise.all([t.user(), t.user()]);
    const [theirs] = await seed(t, other.user.id, 1, { read: true, archivedAt: action === 'unarchive' ? new Date() : null });
    for (const id of [theirs!, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await act(t, user, id, action);
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Notification not found' });
    }
    const row = await t.app.database.db.selectFrom('notifications').select(['read', 'archived_at']).where('id', '=', theirs!).executeTakeFirstOrThrow();
    expect(row.read).toBe(true);
    expect(row.archived_at === null).toBe(action !== 'unarchive');
  });
});

describe('archive', () => {
  it('hides from the default list, shows with archived=true (only) and archived=all (both)', async () => {
    const user = await t.user();
    const [a, b] = await seed(t, user.user.id, 2, { type: 'LICENSE' });
    const archived = await act(t, user, a!, 'archive');
    expect(archived.status).toBe(200);
    expect(archived.body.data).toMatchObject({ id: a, archived: true, archivedAt: expect.any(String), read: false });

    expect(ids(await list(t, user))).toEqual([b]);
    expect(ids(await list(t, user, 'archived=false'))).toEqual([b]);
    expect(ids(await list(t, user, 'archived=true'))).toEqual([a]);
    expect(new Set(ids(await list(t, user, 'archived=all')))).toEqual(new Set([a, b]));
    expect((await list(t, user, 'archived=all')).total).toBe(2);
    // Unread, yet counted in nothing unread.
    expect(await counts(t, user)).toEqual({ count: 1, unseen: 1 });
    expect((await counts(t, user, true)).byType!.LICENSE).toBe(1);
    expect((await list(t, user, 'read=false')).total).toBe(1);

    const back = await act(t, user, a!, 'unarchive');
    expect(back.body.data).toMatchObject({ id: a, archived: false, archivedAt: null });
    expect(new Set(ids(await list(t, user)))).toEqual(new Set([a, b]));
    expect(await counts(t, user)).toEqual({ count: 2, unseen: 2 });
  });

  it('archiving twice keeps the first archivedAt', async () => {
    const user = await t.user();
    const [id] = await seed(t, user.user.id, 1);
    const first = await act(t, user, id!, 'archive');
    const second = await act(t, user, id!, 'archive');
    expect(second.body.data.archivedAt).toBe(first.body.data.archivedAt);
  });

  it.each(['maybe', 'TRUE', '1', ''])('archived=%s is 400 Invalid query parameters', async (value) => {
    const user = await t.user();
    const res = await t.call('GET', `/api/notifications?archived=${value}`, { as: user });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters', details: [expect.objectContaining({ path: ['archived'] })] });
  });
});

describe('tabs', () => {
  it('types=LICENSE,PAYOUT and repeated types= give the same page, only of those types, with its total', async () => {
    const user = await t.user();
    await seed(t, user.user.id, 2, { type: 'LICENSE' });
    await seed(t, user.user.id, 3, { type: 'PAYOUT' });
    await seed(t, user.user.id, 4, { type: 'SYSTEM' });
    await seed(t, user.user.id, 1, { type: 'PAYOUT', archivedAt: new Date() });
    const comma = await list(t, user, 'types=LICENSE,PAYOUT');
    const repeated = await list(t, user, 'types=LICENSE&types=PAYOUT');
    expect(comma.total).toBe(5);
    expect(comma.items.map((n) => n.type).sort()).toEqual(['LICENSE', 'LICENSE', 'PAYOUT', 'PAYOUT', 'PAYOUT']);
    expect(repeated).toEqual(comma);
    expect((await list(t, user, 'types=PAYOUT&archived=all')).total).toBe(4);
    expect((await list(t, user, 'types=SYSTEM&read=true')).total).toBe(0);
  });

  it('by=type counts every type, zeros included, summing to count', async () => {
    const user = await t.user();
    await seed(t, user.user.id, 2, { type: 'LICENSE' });
    const [seenPayout] = await seed(t, user.user.id, 3, { type: 'PAYOUT' });
    await seed(t, user.user.id, 1, { type: 'BLOG', read: true });
    await seed(t, user.user.id, 1, { type: 'MESSAGE', archivedAt: new Date() });
    await seed(t, user.user.id, 1, { type: 'ROYALTY', snoozedUntil: new Date(Date.now() + HOUR) });
    await seed(t, user.user.id, 1, { type: 'PROJECT', expiresAt: new Date(Date.now() - 1_000) });
    await t.call('POST', '/api/notifications/seen-all', { as: user });
    await seed(t, user.user.id, 1, { type: 'LICENSE' });
    await act(t, user, seenPayout!, 'unread'); // no change: already unread

    const all = await counts(t, user, true);
    expect(Object.keys(all.byType!).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(all).toEqual({
      count: 6, unseen: 1,
      byType: { ...Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, 0])), LICENSE: 3, PAYOUT: 3 },
    });
    expect(Object.values(all.byType!).reduce((a, b) => a + b, 0)).toBe(all.count);
    expect(await counts(t, user)).toEqual({ count: 6, unseen: 1 });
    // A user with nothing: every type, all zero.
    const empty = await counts(t, await t.user(), true);
    expect(empty).toEqual({ count: 0, unseen: 0, byType: Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, 0])) });
  });

  it.each(['types=NOPE', 'types=LICENSE,NOPE', 'types=LICENSE&types=license', 'types=', 'types=,'])('%s is 400 Invalid query parameters naming types', async (query) => {
    const user = await t.user();
    const res = await t.call('GET', `/api/notifications?${query}`, { as: user });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters', details: [expect.objectContaining({ path: expect.arrayContaining(['types']) })] });
  });

  it('by= anything but type is 400', async () => {
    const user = await t.user();
    const res = await t.call('GET', '/api/notifications/unread-count?by=priority', { as: user });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters' });
  });
});
