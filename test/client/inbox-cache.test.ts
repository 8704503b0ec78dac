import { MutationObserver, QueryClient, QueryObserver } from '@tanstack/query-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient, type NotificationListResponse, type Subscription, type UnreadCountResponse } from '../../packages/client/src/index.js';
import {
  archiveMutation, bulkMutation, heraldKeys, markAllSeenMutation, markUnreadMutation, notificationsQuery, snoozeMutation, streamCacheUpdates, unreadCountQuery,
} from '../../packages/client/src/query-options.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * The hooks' issue 17 mutations and their stream handling, without React: optimistic updates of
 * the cached lists and counts (and their rollback), and a second "tab" (another QueryClient with
 * its own stream) following the first. A real TanStack QueryClient against the real service.
 */
let t: TestApp;
const open: Subscription[] = [];
beforeAll(async () => {
  t = await createTestApp();
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => t?.close());

type Type = 'SYSTEM' | 'PAYOUT' | 'LICENSE';

async function inbox(items: Array<[string, Type]>): Promise<Session> {
  const me = await t.user('VIEWER');
  for (const [title, type] of items) await t.app.services.notifications.notify({ userIds: [me.user.id], type, title, message: title });
  return me;
}

/** A client whose POSTs wait until released (or fail with `refuse`), to look at the cache mid-mutation. */
function gated(session: Session) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let refusal: number | null = null;
  const client = createHeraldClient({
    baseUrl: t.url, token: session.token,
    fetch: async (input, init) => {
      if (init?.method !== 'POST') return fetch(input, init);
      await held;
      if (refusal) return new Response(JSON.stringify({ success: false, error: 'Service unavailable' }), { status: refusal, headers: { 'content-type': 'application/json' } });
      return fetch(input, init);
    },
  });
  return { client, release: () => release(), refuse: (status: number) => ((refusal = status), release()) };
}

const FEED = {};
const ARCHIVE = { archived: true } as const;
const list = (qc: QueryClient, filters: object = FEED) => qc.getQueryData<NotificationListResponse>(heraldKeys.notificationList(filters))!;
const titles = (qc: QueryClient, filters: object = FEED) => list(qc, filters).data.map((n) => n.title);
const counts = (qc: QueryClient) => qc.getQueryData<UnreadCountResponse>(heraldKeys.unreadCount)!.data;
const byType = (qc: QueryClient) => qc.getQueryData<UnreadCountResponse>(heraldKeys.unreadCountByType)!.data;
const idOf = (qc: QueryClient, title: string) => list(qc).data.find((n) => n.title === title)!.id;
const until = (check: () => boolean, ms = 10_000) => waitFor(async () => check(), ms, 5);

async function load(qc: QueryClient, client: HeraldClient) {
  await Promise.all([
    qc.fetchQuery(notificationsQuery(client, FEED)), qc.fetchQuery(notificationsQuery(client, ARCHIVE)),
    qc.fetchQuery(unreadCountQuery(client)), qc.fetchQuery(unreadCountQuery(client, { by: 'type' })),
  ]);
}

const serverCount = async (me: Session) => (await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data;

describe('optimistic inbox mutations', () => {
  it('archive: out of the feed and every count before the server answers; in the archive once refetched', async () => {
    const me = await inbox([['licence', 'LICENSE'], ['paid', 'PAYOUT'], ['note', 'SYSTEM']]);
    const { client, release } = gated(me);
    const qc = new QueryClient();
    await load(qc, client);
    const done = new MutationObserver(qc, archiveMutation(client, qc)).mutate(idOf(qc, 'paid'));
    expect(await until(() => !titles(qc).includes('paid'))).toBe(true);
    expect(list(qc).pagination.total).toBe(2);
    expect(counts(qc)).toEqual({ count: 2, unseen: 2 });
    expect(byType(qc)).toMatchObject({ count: 2, unseen: 2, byType: { PAYOUT: 0, LICENSE: 1, SYSTEM: 1 } });
    expect(await serverCount(me)).toEqual({ count: 3, unseen: 3 }); // not yet on the server
    release();
    await done;
    expect(qc.getQueryState(heraldKeys.notificationList(ARCHIVE))!.isInvalidated).toBe(true);
    await qc.refetchQueries();
    expect(titles(qc, ARCHIVE)).toEqual(['paid']);
    expect(byType(qc).byType).toMatchObject({ PAYOUT: 0, LICENSE: 1, SYSTEM: 1 });
  });

  it('mark unread and mark all seen move the count and the unseen badge apart', async () => {
    const me = await inbox([['a', 'SYSTEM'], ['b', 'PAYOUT']]);
    const { client, release } = gated(me);
    const qc = new QueryClient();
    await load(qc, client);
    const seen = new MutationObserver(qc, markAllSeenMutation(client, qc)).mutate();
    expect(await until(() => counts(qc).unseen === 0)).toBe(true);
    expect(counts(qc).count).toBe(2);
    expect(list(qc).data.map((n) => [n.seen, n.read])).toEqual([[true, false], [true, false]]);
    release();
    expect((await seen).data.count).toBe(2);

    await t.call('POST', `/api/notifications/${idOf(qc, 'b')}/read`, { as: me });
    await qc.refetchQueries();
    expect(counts(qc)).toEqual({ count: 1, unseen: 0 });
    await new MutationObserver(qc, markUnreadMutation(client, qc)).mutate(idOf(qc, 'b'));
    expect(list(qc).data.find((n) => n.title === 'b')).toMatchObject({ read: false, readAt: null, seen: true });
    expect(counts(qc)).toEqual({ count: 2, unseen: 0 });
    expect(byType(qc).byType).toMatchObject({ PAYOUT: 1, SYSTEM: 1 });
  });

  it('snooze hides it from every list and count until then', async () => {
    const me = await inbox([['later', 'LICENSE'], ['now', 'SYSTEM']]);
    const { client, release } = gated(me);
    const qc = new QueryClient();
    await load(qc, client);
    const done = new MutationObserver(qc, snoozeMutation(client, qc)).mutate({ id: idOf(qc, 'later'), until: new Date(Date.now() + 3_600_000) });
    expect(await until(() => titles(qc).length === 1)).toBe(true);
    expect(titles(qc)).toEqual(['now']);
    expect(counts(qc)).toEqual({ count: 1, unseen: 1 });
    expect(byType(qc).byType).toMatchObject({ LICENSE: 0, SYSTEM: 1 });
    release();
    expect((await done).data.snoozedUntil).toEqual(expect.any(String));
    await qc.refetchQueries();
    expect([titles(qc), titles(qc, ARCHIVE), counts(qc).count]).toEqual([['now'], [], 1]);
  });

  it('bulk: every named notification at once; a refusal puts lists and counts back', async () => {
    const me = await inbox([['x', 'SYSTEM'], ['y', 'PAYOUT'], ['z', 'PAYOUT']]);
    const qc = new QueryClient();
    const first = gated(me);
    await load(qc, first.client);
    const read = new MutationObserver(qc, bulkMutation(first.client, qc)).mutate({ ids: [idOf(qc, 'y'), idOf(qc, 'z')], action: 'read' });
    expect(await until(() => counts(qc).count === 1)).toBe(true);
    expect(byType(qc).byType).toMatchObject({ PAYOUT: 0, SYSTEM: 1 });
    expect(list(qc).data.filter((n) => n.read).map((n) => n.title).sort()).toEqual(['y', 'z']);
    first.release();
    expect((await read).data.count).toBe(2);
    await qc.refetchQueries();

    const second = gated(me);
    const before = { feed: list(qc), counts: counts(qc), byType: byType(qc) };
    const refused = new MutationObserver(qc, bulkMutation(second.client, qc)).mutate({ ids: list(qc).data.map((n) => n.id), action: 'delete' });
    expect(await until(() => titles(qc).length === 0)).toBe(true);
    expect(counts(qc).count).toBe(0);
    second.refuse(503);
    await expect(refused).rejects.toMatchObject({ status: 503 });
    expect([list(qc), counts(qc), byType(qc)]).toEqual([before.feed, before.counts, before.byType]);
  });
});

describe('a second tab follows the stream', () => {
  /** A "tab": its own cache, fed by its own stream as useNotificationStream feeds it. */
  async function tab(me: Session) {
    const client = createHeraldClient({ baseUrl: t.url, token: me.token });
    const qc = new QueryClient();
    await load(qc, client);
    let ready = false;
    const updates = streamCacheUpdates(qc);
    const subscription = client.subscribe({ ...updates, onUnreadCount: (count, c) => ((ready = true), updates.onUnreadCount(count, c)) });
    open.push(subscription);
    expect(await until(() => ready && subscription.status === 'open')).toBe(true);
    return { client, qc };
  }

  it('applies another tab\'s archive, bulk read and mark-all-seen to its cached lists and counts', async () => {
    const me = await inbox([['one', 'SYSTEM'], ['two', 'PAYOUT'], ['three', 'PAYOUT']]);
    const a = await tab(me);
    const b = await tab(me);

    await new MutationObserver(a.qc, archiveMutation(a.client, a.qc)).mutate(idOf(a.qc, 'two'));
    expect(await until(() => !titles(b.qc).includes('two'))).toBe(true); // patched: nothing observes b's list, so nothing refetched it
    expect(await until(() => counts(b.qc).count === 2)).toBe(true);
    expect(b.qc.getQueryState(heraldKeys.notificationList(ARCHIVE))!.isInvalidated).toBe(true); // what it cannot patch, it refetches
    expect(byType(b.qc).byType).toMatchObject({ PAYOUT: 1, SYSTEM: 1 });

    await b.qc.refetchQueries();
    await new MutationObserver(a.qc, bulkMutation(a.client, a.qc)).mutate({ ids: [idOf(a.qc, 'one'), idOf(a.qc, 'three')], action: 'read' });
    expect(await until(() => list(b.qc).data.every((n) => n.read))).toBe(true);
    expect(await until(() => counts(b.qc).count === 0)).toBe(true);

    await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'LICENSE', title: 'four', message: 'four' });
    expect(await until(() => counts(b.qc).unseen === 1)).toBe(true);
    await new MutationObserver(a.qc, markAllSeenMutation(a.client, a.qc)).mutate();
    expect(await until(() => counts(b.qc).unseen === 0)).toBe(true);
    expect(counts(b.qc).count).toBe(1);
  });

  it('hears a snooze end and refetches what it could not patch (the list on screen, as a mounted hook holds it)', async () => {
    const me = await inbox([['dozing', 'LICENSE'], ['awake', 'SYSTEM']]);
    const a = await tab(me);
    const b = await tab(me);
    const onScreen = new QueryObserver(b.qc, notificationsQuery(b.client, FEED));
    const unmount = onScreen.subscribe(() => undefined);
    try {
      await new MutationObserver(a.qc, snoozeMutation(a.client, a.qc)).mutate({ id: idOf(a.qc, 'dozing'), until: new Date(Date.now() + 1_500) });
      expect(await until(() => titles(b.qc).length === 1 && counts(b.qc).count === 1)).toBe(true);
      expect(await until(() => titles(b.qc).includes('dozing') && counts(b.qc).count === 2, 20_000)).toBe(true);
      expect(titles(b.qc)).toEqual(['dozing', 'awake']); // back at the top of its band
    } finally {
      unmount();
    }
  });
});

describe('a first fetch read before a stream event and answered after it', () => {
  /** A client whose first GET of `path` the server answers at once, handed over only when released (a slow network). */
  function late(session: Session, path: string) {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    let answered = false;
    const client = createHeraldClient({
      baseUrl: t.url, token: session.token,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!first || (init?.method ?? 'GET') !== 'GET' || url.pathname !== path) return fetch(input, init);
        first = false;
        const response = await fetch(input, init);
        answered = true;
        await held;
        return response;
      },
    });
    return { client, release: () => release(), answered: () => answered };
  }

  /** The page as mounted: an observed query, then the stream; `heard` counts the stream's events. */
  async function opened(me: Session, path: string, query: (client: HeraldClient) => ConstructorParameters<typeof QueryObserver>[1]) {
    const { client, release, answered } = late(me, path);
    const qc = new QueryClient();
    const unmount = new QueryObserver(qc, query(client)).subscribe(() => undefined);
    const heard = { notifications: 0, count: -1 };
    const updates = streamCacheUpdates(qc);
    const subscription = client.subscribe({
      ...updates,
      onNotification: (n) => ((heard.notifications += 1), updates.onNotification(n)),
      onUnreadCount: (n, c) => ((heard.count = c.count), updates.onUnreadCount(n, c)),
    });
    open.push(subscription);
    expect(await until(() => answered() && subscription.status === 'open' && heard.count === 0)).toBe(true);
    return { qc, heard, done: () => (release(), unmount()), release };
  }

  // Both fail without refetchAfterEvent: the invalidation joined the first fetch, whose stale answer stayed until the 30 s poll.
  it('the counts: an inbox opened as a notification arrives counts it', async () => {
    const me = await inbox([]);
    const page = await opened(me, '/api/notifications/unread-count', (client) => unreadCountQuery(client, { by: 'type' }));
    try {
      await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'PAYOUT', title: 'paid', message: 'paid' });
      expect(await until(() => page.heard.notifications === 1 && page.heard.count === 1)).toBe(true);
      page.release(); // the answer read before the notification, 0 unread, arrives now
      expect(await until(() => page.qc.getQueryData<UnreadCountResponse>(heraldKeys.unreadCountByType)?.data.byType?.PAYOUT === 1)).toBe(true);
      expect(byType(page.qc)).toMatchObject({ count: 1, unseen: 1, byType: { PAYOUT: 1 } });
    } finally {
      page.done();
    }
  });

  it('the list: an inbox opened as a notification arrives lists it', async () => {
    const me = await inbox([]);
    const page = await opened(me, '/api/notifications', (client) => notificationsQuery(client, FEED));
    try {
      await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'PAYOUT', title: 'newer', message: 'newer' });
      expect(await until(() => page.heard.notifications === 1)).toBe(true);
      page.release(); // the page read before the notification arrives now
      expect(await until(() => page.qc.getQueryData<NotificationListResponse>(heraldKeys.notificationList(FEED))?.data.length === 1)).toBe(true);
      expect(titles(page.qc)).toEqual(['newer']);
    } finally {
      page.done();
    }
  });
});
