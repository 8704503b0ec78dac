import { QueryClient } from '@tanstack/query-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type NotificationListResponse, type Subscription } from '../../packages/client/src/index.js';
import { notificationsQuery, streamCacheUpdates } from '../../packages/client/src/query-options.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Review of issue 21 (d4d358c, refetchAfterEvent): a stream event cancels a first fetch in flight
 * (nothing cached yet) so that the refetch it starts is not joined to an answer read before the
 * event. The query options are public (query-options.ts) for route loaders too:
 * `queryClient.fetchQuery(notificationsQuery(...))` (or ensureQueryData, prefetchQuery) before the
 * page mounts. A notification arriving while such a loader's fetch is in flight must not fail the
 * loader with a CancelledError (an error page on navigation): before d4d358c the event joined the
 * fetch; the loader got its answer.
 */
let t: TestApp;
const open: Subscription[] = [];
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  for (const s of open.splice(0)) s.close();
  await t?.close();
});

describe('a loader\'s first fetch and a stream event', () => {
  it('fetchQuery of the inbox resolves when a notification arrives while it is in flight', { timeout: 30_000 }, async () => {
    const me: Session = await t.user('VIEWER');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let answered = false;
    const client = createHeraldClient({
      baseUrl: t.url, token: me.token,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if ((init?.method ?? 'GET') !== 'GET' || url.pathname !== '/api/notifications') return fetch(input, init);
        const response = await fetch(input, init);
        answered = true;
        await held;
        return response;
      },
    });
    const qc = new QueryClient();
    const updates = streamCacheUpdates(qc);
    let heard = 0;
    const subscription = client.subscribe({ ...updates, onNotification: (n) => ((heard += 1), updates.onNotification(n)) });
    open.push(subscription);
    expect(await waitFor(async () => subscription.status === 'open', 10_000, 5)).toBe(true);

    const loading = qc.fetchQuery(notificationsQuery(client, {})).then((data) => ({ data }), (error: Error) => ({ error: error.constructor.name }));
    expect(await waitFor(async () => answered, 10_000, 5)).toBe(true);
    await t.app.services.notifications.notify({ userIds: [me.user.id], type: 'PAYOUT', title: 'arrived', message: 'arrived' });
    expect(await waitFor(async () => heard === 1, 10_000, 5)).toBe(true);
    release();
    const result = await loading;
    expect(result).not.toHaveProperty('error');
    expect((result as { data: NotificationListResponse }).data.success).toBe(true);
  });
});
