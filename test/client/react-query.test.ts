import { MutationObserver, QueryClient } from '@tanstack/query-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createHeraldClient, formatBadgeCount, formatNotificationTime, getNotificationIcon, getPriorityColor, type HeraldClient, type NotificationListResponse, type UnreadCountResponse } from '../../packages/client/src/index.js';
import {
  heraldKeys, markAllReadMutation, markReadMutation, notificationsQuery, preferencesQuery, retryDelay, shouldRetry, unreadCountQuery, updatePreferencesMutation,
} from '../../packages/client/src/query-options.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * What the React hooks do, without React: their query keys, fetchers and the optimistic updates,
 * run through a real TanStack QueryClient against the real service.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

/** A client whose POSTs wait until released, to look at the cache while a mutation is in flight. */
function gated(session: Session) {
  let release: () => void = () => undefined;
  let held = new Promise<void>((resolve) => (release = resolve));
  const client = createHeraldClient({
    baseUrl: t.url, token: session.token,
    fetch: async (input, init) => {
      if (init?.method === 'POST') await held;
      return fetch(input, init);
    },
  });
  return { client, release: () => release(), hold: () => (held = new Promise<void>((resolve) => (release = resolve))) };
}

async function inbox(titles: string[]): Promise<Session> {
  const me = await t.user('VIEWER');
  for (const title of titles) await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'SYSTEM', title, message: title });
  return me;
}

const list = (qc: QueryClient) => qc.getQueryData<NotificationListResponse>(heraldKeys.notificationList({}))!;
const count = (qc: QueryClient) => qc.getQueryData<UnreadCountResponse>(heraldKeys.unreadCount)!.data.count;

async function load(qc: QueryClient, client: HeraldClient) {
  await qc.fetchQuery(notificationsQuery(client, {}));
  await qc.fetchQuery(unreadCountQuery(client));
}

describe('optimistic updates', () => {
  it('marks read in the cached lists and the badge before the server answers, then agrees with it', async () => {
    const me = await inbox(['one', 'two']);
    const { client, release } = gated(me);
    const qc = new QueryClient();
    await load(qc, client);
    expect(count(qc)).toBe(2);
    const target = list(qc).data[0]!;

    const observer = new MutationObserver(qc, markReadMutation(client, qc));
    const done = observer.mutate(target.id);
    expect(await waitFor(async () => list(qc).data.find((n) => n.id === target.id)!.read, 5_000, 5)).toBe(true);
    expect(count(qc)).toBe(1);
    expect((await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data.count).toBe(2); // not yet on the server
    release();
    await done;
    expect((await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data.count).toBe(1);
    expect(qc.getQueryState(heraldKeys.unreadCount)!.isInvalidated).toBe(true);
    await qc.refetchQueries();
    expect(count(qc)).toBe(1);
    expect(list(qc).data.find((n) => n.id === target.id)).toMatchObject({ read: true, readAt: expect.any(String) });
  });

  it('rolls back when the server refuses', async () => {
    const me = await inbox(['kept']);
    const client = createHeraldClient({ baseUrl: t.url, token: me.token });
    const qc = new QueryClient();
    await load(qc, client);
    const options = markReadMutation(client, qc);
    const id = list(qc).data[0]!.id;
    const snapshot = await options.onMutate(id);
    expect([list(qc).data[0]!.read, count(qc)]).toEqual([true, 0]);
    options.onError(new ApiError({ status: 404, message: 'Notification not found', method: 'POST', path: '' }), id, snapshot);
    expect([list(qc).data[0]!.read, count(qc)]).toEqual([false, 1]);

    // End to end: a notification deleted elsewhere answers 404; the cache comes back to the truth.
    await t.call('DELETE', `/api/notifications/${id}`, { as: me });
    await expect(new MutationObserver(qc, markReadMutation(client, qc)).mutate(id)).rejects.toMatchObject({ status: 404 });
    expect(list(qc).data[0]!.read).toBe(false);
    // Settled: the lists and the badge are invalidated (mounted hooks refetch them at once).
    expect(qc.getQueryState(heraldKeys.notificationList({}))!.isInvalidated).toBe(true);
    await qc.refetchQueries();
    expect([list(qc).data, count(qc)]).toEqual([[], 0]);
  });

  it('marks everything read at once, and saves preferences into the cache', async () => {
    const me = await inbox(['a', 'b', 'c']);
    const { client, release } = gated(me);
    const qc = new QueryClient();
    await load(qc, client);
    const done = new MutationObserver(qc, markAllReadMutation(client, qc)).mutate();
    expect(await waitFor(async () => count(qc) === 0, 5_000, 5)).toBe(true);
    expect(list(qc).data.every((n) => n.read)).toBe(true);
    release();
    expect((await done).data.count).toBe(3);

    const plain = createHeraldClient({ baseUrl: t.url, token: me.token });
    await qc.fetchQuery(preferencesQuery(plain));
    await new MutationObserver(qc, updatePreferencesMutation(plain, qc)).mutate({ digestFrequency: 'WEEKLY' });
    expect(qc.getQueryData<{ data: { digestFrequency: string } }>(heraldKeys.preferences)!.data.digestFrequency).toBe('WEEKLY');
  });
});

describe('helpers', () => {
  const now = new Date('2025-10-18T12:00:00.000Z');
  it('formats times, colours, icons and the badge as the guide does', () => {
    expect(formatNotificationTime('2025-10-18T11:59:30.000Z', now)).toBe('Just now');
    expect(formatNotificationTime('2025-10-18T11:55:00.000Z', now)).toBe('5m ago');
    expect(formatNotificationTime('2025-10-18T09:00:00.000Z', now)).toBe('3h ago');
    expect(formatNotificationTime('2025-10-16T12:00:00.000Z', now)).toBe('2d ago');
    expect(formatNotificationTime('2025-10-01T12:00:00.000Z', now)).toBe(new Date('2025-10-01T12:00:00.000Z').toLocaleDateString());
    expect(['URGENT', 'HIGH', 'MEDIUM', 'LOW'].map((p) => getPriorityColor(p as 'LOW'))).toEqual(['red', 'orange', 'blue', 'gray']);
    expect(getNotificationIcon('PAYOUT')).toBe('💰');
    expect(getNotificationIcon('BLOG')).toBe('📰');
    expect([0, 1, 99, 100, 5000].map(formatBadgeCount)).toEqual(['', '1', '99', '99+', '99+']);
  });

  it('retries what may change (network, 5xx, 429 after Retry-After), not other 4xx', () => {
    const error = (status: number, retryAfter: number | null = null) => new ApiError({ status, message: '', retryAfter, method: 'GET', path: '' });
    expect([0, 429, 500, 503].map((s) => shouldRetry(0, error(s)))).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404].map((s) => shouldRetry(0, error(s)))).toEqual([false, false, false, false]);
    expect(shouldRetry(3, error(500))).toBe(false);
    expect(retryDelay(0, error(429, 7))).toBe(7_000);
    expect(retryDelay(2, error(500))).toBe(4_000);
  });
});
