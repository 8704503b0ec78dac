import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_CHANGE_ACTIONS, NOTIFICATION_TYPES, type InboxChange, type Subscription, type UnreadCounts } from '../../packages/client/src/index.js';
import { waitFor } from '../../src/platform/net.js';
import { INBOX_CHANGE_ACTIONS as SERVER_ACTIONS } from '../../src/notifications/stream.service.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { clientFor, failure } from './helpers.js';

/** Issue 17's calls of @herald/client and the stream's new events, against the real service. */
let t: TestApp;
const open: Subscription[] = [];

beforeAll(async () => {
  t = await createTestApp();
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => t?.close());

type Seed = { title: string; type?: 'SYSTEM' | 'PAYOUT' | 'LICENSE' | 'ROYALTY'; priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT' };

async function inbox(items: Seed[]): Promise<Session> {
  const me = await t.user('VIEWER');
  for (const item of items) {
    await t.app.services.notifications.notify({ userIds: [me.user.id], type: item.type ?? 'SYSTEM', title: item.title, message: `${item.title}.`, priority: item.priority ?? 'MEDIUM' });
  }
  return me;
}

const until = (check: () => boolean, ms = 10_000) => waitFor(async () => check(), ms, 20);

describe('notificationApi: issue 17', () => {
  it('lists tabs (types) and the archive, counts by type, archives and unarchives', async () => {
    const me = await inbox([{ title: 'licence', type: 'LICENSE' }, { title: 'paid', type: 'PAYOUT' }, { title: 'royalty', type: 'ROYALTY' }, { title: 'note' }]);
    const herald = clientFor(t, me);
    const titles = async (filters: Parameters<typeof herald.notifications.list>[0]) => (await herald.notifications.list(filters)).data.map((n) => n.title).sort();

    expect(await titles({ types: ['PAYOUT', 'ROYALTY'] })).toEqual(['paid', 'royalty']);
    expect(await titles({ types: 'LICENSE' })).toEqual(['licence']);
    const counts = (await herald.notifications.unreadCount({ by: 'type' })).data;
    expect(counts).toMatchObject({ count: 4, unseen: 4 });
    expect(Object.keys(counts.byType!).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(counts.byType).toMatchObject({ LICENSE: 1, PAYOUT: 1, ROYALTY: 1, SYSTEM: 1, BLOG: 0 });
    expect((await herald.notifications.unreadCount()).data).toEqual({ count: 4, unseen: 4 });

    const paid = (await herald.notifications.list({ types: ['PAYOUT'] })).data[0]!;
    const archived = await herald.notifications.archive(paid.id);
    expect(archived.data).toMatchObject({ id: paid.id, archived: true, archivedAt: expect.any(String), read: false });
    expect(await titles({})).toEqual(['licence', 'note', 'royalty']);
    expect(await titles({ archived: true })).toEqual(['paid']);
    expect(await titles({ archived: 'all' })).toEqual(['licence', 'note', 'paid', 'royalty']);
    expect((await herald.notifications.unreadCount({ by: 'type' })).data).toMatchObject({ count: 3, byType: { PAYOUT: 0 } });

    expect((await herald.notifications.unarchive(paid.id)).data).toMatchObject({ archived: false, archivedAt: null });
    expect(await titles({ archived: false })).toEqual(['licence', 'note', 'paid', 'royalty']);
  });

  it('marks all seen, marks unread, snoozes and unsnoozes', async () => {
    const me = await inbox([{ title: 'first' }, { title: 'second' }]);
    const herald = clientFor(t, me);
    expect((await herald.notifications.seenAll()).data.count).toBe(2);
    expect((await herald.notifications.unreadCount()).data).toEqual({ count: 2, unseen: 0 });
    expect((await herald.notifications.list()).data.every((n) => n.seen && !n.read)).toBe(true);

    const [first] = (await herald.notifications.list()).data;
    await herald.notifications.markRead(first!.id);
    const unread = await herald.notifications.markUnread(first!.id);
    expect(unread.data).toMatchObject({ id: first!.id, read: false, readAt: null, seen: true });

    const later = new Date(Date.now() + 3_600_000);
    const snoozed = await herald.notifications.snooze(first!.id, later);
    expect(Date.parse(snoozed.data.snoozedUntil!)).toBe(later.getTime());
    expect((await herald.notifications.list()).data.map((n) => n.id)).not.toContain(first!.id);
    expect((await herald.notifications.unreadCount()).data.count).toBe(1);
    const back = await herald.notifications.unsnooze(first!.id);
    expect(back.data).toMatchObject({ id: first!.id, snoozedUntil: null, read: false, seen: false });
    expect((await herald.notifications.list()).data.map((n) => n.id)).toContain(first!.id);

    const past = await failure(herald.notifications.snooze(first!.id, new Date(Date.now() - 1_000).toISOString()));
    expect([past.status, past.kind]).toEqual([400, 'invalid']);
    expect(past.details).toEqual([expect.objectContaining({ path: ['until'], message: 'must be in the future' })]);
  });

  it('applies one action to many ids, counting what changed', async () => {
    const me = await inbox([{ title: 'a' }, { title: 'b' }, { title: 'c' }]);
    const other = await inbox([{ title: 'not mine' }]);
    const herald = clientFor(t, me);
    const ids = (await herald.notifications.list()).data.map((n) => n.id);
    const foreign = (await clientFor(t, other).notifications.list()).data[0]!.id;

    expect((await herald.notifications.bulk([ids[0]!, ids[1]!, foreign], 'read')).data.count).toBe(2);
    expect((await herald.notifications.bulk(ids, 'read')).data.count).toBe(1); // two were read already
    expect((await herald.notifications.bulk(ids, 'archive')).data.count).toBe(3);
    expect((await herald.notifications.list({ archived: true })).pagination.total).toBe(3);
    expect((await herald.notifications.bulk(ids.slice(0, 2), 'delete')).data.count).toBe(2);
    expect((await herald.notifications.list({ archived: 'all' })).data.map((n) => n.id)).toEqual([ids[2]]);
    expect((await clientFor(t, other).notifications.unreadCount()).data.count).toBe(1);

    const empty = await failure(herald.notifications.bulk([], 'read'));
    expect(empty.status).toBe(400);
  });
});

describe('subscribe(): issue 17 events', () => {
  it('hears notifications-changed (with the notifications when one changed) and unseen in unread-count', async () => {
    const me = await inbox([{ title: 'one' }, { title: 'two' }]);
    const herald = clientFor(t, me);
    const changes: InboxChange[] = [];
    const counts: UnreadCounts[] = [];
    const subscription = herald.subscribe({ onNotificationsChanged: (c) => changes.push(c), onUnreadCount: (_count, c) => counts.push(c) });
    open.push(subscription);
    expect(await until(() => subscription.status === 'open' && counts.length > 0)).toBe(true);
    expect(counts[0]).toEqual({ count: 2, unseen: 2 });

    await herald.notifications.seenAll();
    expect(await until(() => changes.length === 1 && counts.at(-1)?.unseen === 0)).toBe(true);
    expect(changes[0]).toEqual({ action: 'seen-all', ids: [] });
    expect(counts.at(-1)).toEqual({ count: 2, unseen: 0 });

    const [one, two] = (await herald.notifications.list()).data;
    await herald.notifications.archive(one!.id);
    expect(await until(() => changes.length === 2 && counts.at(-1)?.count === 1)).toBe(true);
    expect(changes[1]).toMatchObject({ action: 'archive', ids: [one!.id], notifications: [{ id: one!.id, archived: true }] });

    await herald.notifications.markRead(two!.id);
    expect(await until(() => changes.length === 3)).toBe(true);
    expect(changes[2]).toEqual({ action: 'read', ids: [two!.id] });
    await herald.notifications.bulk([one!.id, two!.id], 'read');
    expect(await until(() => changes.length === 4)).toBe(true);
    expect(changes[3]).toEqual({ action: 'read', ids: [one!.id] }); // only the one it changed (archived, still unread)
    expect(changes.every((c) => (INBOX_CHANGE_ACTIONS as readonly string[]).includes(c.action))).toBe(true);
  });

  it('hears a snooze end (wake): back unread and unseen, the count with it', async () => {
    const me = await inbox([{ title: 'sleepy' }]);
    const herald = clientFor(t, me);
    const changes: InboxChange[] = [];
    const counts: UnreadCounts[] = [];
    const subscription = herald.subscribe({ onNotificationsChanged: (c) => changes.push(c), onUnreadCount: (_count, c) => counts.push(c) });
    open.push(subscription);
    expect(await until(() => subscription.status === 'open' && counts.length > 0)).toBe(true);
    const [sleepy] = (await herald.notifications.list()).data;
    await herald.notifications.markRead(sleepy!.id);
    await herald.notifications.snooze(sleepy!.id, new Date(Date.now() + 1_500));
    expect(await until(() => changes.some((c) => c.action === 'snooze'))).toBe(true);
    expect(counts.at(-1)).toEqual({ count: 0, unseen: 0 });
    expect(await until(() => changes.some((c) => c.action === 'wake'), 20_000)).toBe(true);
    expect(changes.find((c) => c.action === 'wake')).toMatchObject({ ids: [sleepy!.id], notifications: [{ id: sleepy!.id, read: false, seen: false, snoozedUntil: null }] });
    expect(await until(() => counts.at(-1)?.count === 1)).toBe(true);
    expect(counts.at(-1)).toEqual({ count: 1, unseen: 1 });
  });

  it('knows every action the server sends', () => {
    expect([...INBOX_CHANGE_ACTIONS].sort()).toEqual([...SERVER_ACTIONS].sort());
  });
});
