import { heraldKeys, type QueryCache, type QueryKey } from './keys.js';
import type { SubscribeOptions } from './subscribe.js';
import type { InboxChange, Notification, NotificationFilters, NotificationListResponse, UnreadCountResponse, UnreadCounts } from './types.js';

/**
 * The inbox's cached lists and counts, changed in place: by a mutation before the server answers
 * (optimistic), and by the stream's events so that a second tab follows the first. The server
 * stays the judge: both are followed by a refetch; this only spares the wait for it.
 */

/** A change as the stream says it, or as a mutation expects it (a snooze also knows its `until`). */
export type CacheChange = InboxChange & { readonly until?: string };

const hidden = (n: Notification, now: number) =>
  (n.snoozedUntil !== null && Date.parse(n.snoozedUntil) > now) || (n.expiresAt !== null && Date.parse(n.expiresAt) <= now);

/** What the action makes of one notification, as the server's statements do; null: it is gone. */
function step(change: CacheChange, at: string): (n: Notification) => Notification | null {
  const read = (n: Notification): Notification => (n.read ? n : { ...n, read: true, readAt: n.readAt ?? at, seen: true, seenAt: n.seenAt ?? at });
  switch (change.action) {
    case 'read': case 'read-all': return read;
    case 'unread': return (n) => ({ ...n, read: false, readAt: null });
    case 'seen': return (n) => (n.seen ? n : { ...n, seen: true, seenAt: at });
    // Only the feed's unread ones, as POST /seen-all.
    case 'seen-all': return (n) => (n.seen || n.read || n.archived ? n : { ...n, seen: true, seenAt: at });
    case 'archive': return (n) => (n.archived ? n : { ...n, archived: true, archivedAt: at });
    case 'unarchive': return (n) => ({ ...n, archived: false, archivedAt: null });
    // Comes back unread and unseen; until then it is in no list. Without `until`: until later.
    case 'snooze': return (n) => ({ ...n, snoozedUntil: change.until ?? '9999-12-31T00:00:00.000Z', read: false, readAt: null, seen: false, seenAt: null });
    case 'unsnooze': case 'wake': return (n) => ({ ...n, snoozedUntil: null });
    case 'delete': case 'expire': return () => null;
  }
}

/** The archive view a cached list's filters ask for: the feed unless `archived` says otherwise. */
function archivedView(key: QueryKey): 'true' | 'false' | 'all' {
  const value = (key[1] as NotificationFilters | undefined)?.archived;
  return value === true || value === 'true' ? 'true' : value === 'all' ? 'all' : 'false';
}

function shows(view: 'true' | 'false' | 'all', n: Notification | null, now: number): n is Notification {
  if (!n || hidden(n, now)) return false;
  // Read state and type are left as they are: an item does not jump away under the pointer; the refetch settles it.
  return view === 'all' || (view === 'true') === n.archived;
}

/** How much one notification adds to the unread count and to the unseen badge. */
function weight(n: Notification | null, now: number): { count: number; unseen: number } {
  const counted = n !== null && !n.read && !n.archived && !hidden(n, now);
  return { count: counted ? 1 : 0, unseen: counted && !n.seen ? 1 : 0 };
}

function patchCounts(cache: QueryCache, patch: (counts: UnreadCounts) => UnreadCounts): void {
  for (const [key, body] of cache.getQueriesData<UnreadCountResponse>({ queryKey: heraldKeys.unreadCount })) {
    if (body) cache.setQueryData<UnreadCountResponse>(key, { ...body, data: patch(body.data) });
  }
}

/**
 * Applies a change to every cached list and count. Counts move by what the change did to the
 * notifications the lists hold (their state before is known only there); `read-all` and `seen-all`
 * set them outright. A notification in no cached list moves no count: the refetch will.
 */
export function applyChange(cache: QueryCache, change: CacheChange, now = Date.now()): void {
  const next = step(change, new Date(now).toISOString());
  const given = new Map((change.notifications ?? []).map((n) => [n.id, n]));
  const ids = new Set(change.ids);
  const everything = change.action === 'read-all' || change.action === 'seen-all';
  const before = new Map<string, Notification>();
  for (const [key, page] of cache.getQueriesData<NotificationListResponse>({ queryKey: heraldKeys.notifications })) {
    if (!page?.data) continue;
    const view = archivedView(key);
    let changed = false;
    let removed = 0;
    const data: Notification[] = [];
    for (const n of page.data) {
      if (!everything && !ids.has(n.id)) {
        data.push(n);
        continue;
      }
      if (!before.has(n.id)) before.set(n.id, n);
      const after = given.get(n.id) ?? next(n);
      if (after !== n) changed = true;
      if (shows(view, after, now)) data.push(after);
      else removed++;
    }
    if (!changed) continue;
    const total = Math.max(0, page.pagination.total - removed);
    cache.setQueryData<NotificationListResponse>(key, { ...page, data, pagination: { ...page.pagination, total, totalPages: Math.ceil(total / page.pagination.pageSize) } });
  }

  if (change.action === 'read-all') {
    patchCounts(cache, (c) => ({ ...c, count: 0, unseen: 0, ...(c.byType ? { byType: Object.fromEntries(Object.keys(c.byType).map((t) => [t, 0])) } : {}) }));
    return;
  }
  if (change.action === 'seen-all') {
    patchCounts(cache, (c) => ({ ...c, unseen: 0 }));
    return;
  }
  let count = 0;
  let unseen = 0;
  const byType = new Map<string, number>();
  for (const [id, n] of before) {
    const was = weight(n, now);
    const is = weight(given.get(id) ?? next(n), now);
    count += is.count - was.count;
    unseen += is.unseen - was.unseen;
    byType.set(n.type, (byType.get(n.type) ?? 0) + is.count - was.count);
  }
  if (count === 0 && unseen === 0) return;
  const add = (value: number, delta: number) => Math.max(0, value + delta);
  patchCounts(cache, (c) => ({
    ...c, count: add(c.count, count), unseen: add(c.unseen, unseen),
    ...(c.byType ? { byType: Object.fromEntries(Object.entries(c.byType).map(([t, v]) => [t, add(v, byType.get(t) ?? 0)])) } : {}),
  }));
}

export interface Snapshot {
  readonly lists: Array<[QueryKey, NotificationListResponse | undefined]>;
  readonly counts: Array<[QueryKey, UnreadCountResponse | undefined]>;
}

/** Stops refetches in flight (they would overwrite the optimistic state) and keeps what was cached. */
export async function snapshot(cache: QueryCache): Promise<Snapshot> {
  await Promise.all([cache.cancelQueries({ queryKey: heraldKeys.notifications }), cache.cancelQueries({ queryKey: heraldKeys.unreadCount })]);
  return {
    lists: cache.getQueriesData<NotificationListResponse>({ queryKey: heraldKeys.notifications }),
    counts: cache.getQueriesData<UnreadCountResponse>({ queryKey: heraldKeys.unreadCount }),
  };
}

export function restore(cache: QueryCache, previous: Snapshot | undefined): void {
  if (!previous) return;
  for (const [key, data] of [...previous.lists, ...previous.counts]) cache.setQueryData(key, data);
}

/** Lists and counts refetched (those on screen at once), whatever the outcome. */
export function settle(cache: QueryCache): Promise<void> {
  return Promise.all([
    cache.invalidateQueries({ queryKey: heraldKeys.notifications }), cache.invalidateQueries({ queryKey: heraldKeys.unreadCount }),
  ]).then(() => undefined);
}

const sum = (byType: Record<string, number>) => Object.values(byType).reduce((a, b) => a + b, 0);

/**
 * Refetches after a stream event, so the cache ends on what the server held after it. An
 * invalidation cancels a refetch in flight and starts another, but it joins a first fetch (nothing
 * cached yet): that fetch's answer, read before the event, then landed after it, and an inbox
 * opened as a notification arrived showed it nowhere, 0 unread, until the next poll (30 s). When
 * a first fetch was in flight, the invalidation, which joined it, is made again once it has
 * landed. It is not cancelled: whoever awaits it (a route loader's fetchQuery, ensureQueryData)
 * would get a CancelledError, an error page for a notification that arrived meanwhile. (A first
 * fetch nothing observes is not joined: its answer stays until its staleTime, as before.)
 */
function refetchAfterEvent(cache: QueryCache, queryKey: QueryKey): void {
  const first = cache.isFetching({ queryKey, predicate: (query) => query.state.data === undefined }) > 0;
  void cache.invalidateQueries({ queryKey }).then(() => (first ? cache.invalidateQueries({ queryKey }) : undefined));
}

/**
 * What the stream does to the cache: counts set as the server says them, each change applied at
 * once to the lists (so this tab shows what another did without waiting), then lists and the
 * per-type counts refetched, since a change may bring back what no cached list holds (a wake, an
 * unarchive). The `unread-count` event carries no per-type counts: they are refetched when their
 * sum no longer matches it, and every count is refetched when a fetch of one was in flight (its
 * answer, read before the event, would overwrite the event's count).
 */
export function streamCacheUpdates(cache: QueryCache): Required<Pick<SubscribeOptions, 'onUnreadCount' | 'onNotification' | 'onNotificationsChanged' | 'onResync'>> {
  const refetchLists = () => {
    refetchAfterEvent(cache, heraldKeys.notifications);
    refetchAfterEvent(cache, heraldKeys.unreadCountByType);
  };
  return {
    onUnreadCount: (_count, { count, unseen }) => {
      if (!cache.getQueryData(heraldKeys.unreadCount)) cache.setQueryData<UnreadCountResponse>(heraldKeys.unreadCount, { success: true, data: { count, unseen } });
      patchCounts(cache, (c) => ({ ...c, count, unseen }));
      const byType = cache.getQueryData<UnreadCountResponse>(heraldKeys.unreadCountByType)?.data.byType;
      if (cache.isFetching({ queryKey: heraldKeys.unreadCount }) > 0) refetchAfterEvent(cache, heraldKeys.unreadCount);
      else if (byType && sum(byType) !== count) void cache.invalidateQueries({ queryKey: heraldKeys.unreadCountByType });
    },
    onNotification: refetchLists,
    onNotificationsChanged: (change) => {
      applyChange(cache, change);
      refetchLists();
    },
    onResync: () => void settle(cache),
  };
}
