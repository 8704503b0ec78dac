import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { NotificationView } from '../../src/notifications/notifications.schemas.js';
import { createTestApp, type Call, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';
import { act, bulk, nextEvent, seed, type Change } from './inbox-fixtures.js';

// Issue 17: "Every change is live: each publishes to the user's event streams." Two open streams of
// one user (two tabs, on two API processes) hear every action as a notifications-changed event
// naming it and its ids, then the new counts; an action that changed nothing tells nothing.

let t: TestApp;
let other: App;
beforeAll(async () => {
  t = await createTestApp();
  other = await t.sibling({ roles: ['api'] });
});
afterAll(async () => {
  await other.stop();
  await t.close();
});

describe('notifications-changed', () => {
  it('is heard by both tabs for every action, with its ids (and the rows a client needs), then the exact counts', async () => {
    const user = await t.user();
    const [a, b, c, d] = await seed(t, user.user.id, 4);
    const tabs = [await SseClient.open(t.url, user), await SseClient.open(other.url!, user)];
    try {
      for (const tab of tabs) expect(await nextEvent(tab)).toEqual({ event: 'unread-count', data: { count: 4, unseen: 4 } });
      /** Both tabs' next two events: the change, then the counts. */
      const heard = async (change: Partial<Change>, count: number, unseen: number) => {
        for (const [i, tab] of tabs.entries()) {
          const event = await nextEvent(tab);
          expect(event.event, `tab ${i}`).toBe('notifications-changed');
          const data = event.data as Change;
          expect({ ...data, ids: [...data.ids].sort() }, `tab ${i}`).toEqual({ ...change, ids: [...change.ids!].sort() });
          expect(await nextEvent(tab), `tab ${i}`).toEqual({ event: 'unread-count', data: { count, unseen } });
        }
      };
      const view = (res: Call) => [res.body.data as NotificationView];

      expect((await t.call('POST', '/api/notifications/seen-all', { as: user })).status).toBe(200);
      await heard({ action: 'seen-all', ids: [] }, 4, 0);
      expect((await act(t, user, a!, 'read')).status).toBe(200);
      await heard({ action: 'read', ids: [a!] }, 3, 0);
      const unread = await act(t, user, a!, 'unread');
      await heard({ action: 'unread', ids: [a!], notifications: view(unread) }, 4, 0);
      const archived = await act(t, user, b!, 'archive');
      await heard({ action: 'archive', ids: [b!], notifications: view(archived) }, 3, 0);
      // Nothing changes, nothing is told: the next event either tab hears is the unarchive.
      expect((await act(t, user, b!, 'archive')).status).toBe(200);
      expect((await act(t, user, a!, 'unread')).status).toBe(200);
      expect((await act(t, user, d!, 'unsnooze')).status).toBe(200);
      const unarchived = await act(t, user, b!, 'unarchive');
      await heard({ action: 'unarchive', ids: [b!], notifications: view(unarchived) }, 4, 0);
      const snoozed = await act(t, user, c!, 'snooze', { until: new Date(Date.now() + 86_400_000).toISOString() });
      await heard({ action: 'snooze', ids: [c!], notifications: view(snoozed) }, 3, 0);
      const unsnoozed = await act(t, user, c!, 'unsnooze');
      await heard({ action: 'unsnooze', ids: [c!], notifications: view(unsnoozed) }, 4, 1); // back unseen

      expect((await bulk(t, user, [a!, b!], 'read')).body.data.count).toBe(2);
      await heard({ action: 'read', ids: [a!, b!] }, 2, 1);
      expect((await bulk(t, user, [a!, b!, c!], 'unread')).body.data.count).toBe(2);
      await heard({ action: 'unread', ids: [a!, b!] }, 4, 1);
      expect((await bulk(t, user, [a!, c!], 'seen')).body.data.count).toBe(1);
      await heard({ action: 'seen', ids: [c!] }, 4, 0);
      expect((await bulk(t, user, [a!, d!], 'archive')).body.data.count).toBe(2);
      await heard({ action: 'archive', ids: [a!, d!] }, 2, 0);
      expect((await bulk(t, user, [d!], 'unarchive')).body.data.count).toBe(1);
      await heard({ action: 'unarchive', ids: [d!] }, 3, 0);
      expect((await bulk(t, user, [b!, b!], 'archive')).body.data.count).toBe(1);
      await heard({ action: 'archive', ids: [b!] }, 2, 0);
      expect((await bulk(t, user, [a!], 'read')).body.data.count).toBe(1); // archived, read: counts stay
      await heard({ action: 'read', ids: [a!] }, 2, 0);
      expect((await bulk(t, user, [a!, b!], 'delete')).body.data.count).toBe(2);
      await heard({ action: 'delete', ids: [a!, b!] }, 2, 0);
      expect((await bulk(t, user, [a!, b!], 'delete')).body.data.count).toBe(0); // told nothing

      expect((await t.call('DELETE', `/api/notifications/${d}`, { as: user })).status).toBe(200);
      await heard({ action: 'delete', ids: [d!] }, 1, 0);
      expect((await t.call('POST', '/api/notifications/read-all', { as: user })).body.data.count).toBe(1);
      await heard({ action: 'read-all', ids: [] }, 0, 0);
      // A last read-all and seen-all change nothing: nothing more was told.
      expect((await t.call('POST', '/api/notifications/read-all', { as: user })).body.data.count).toBe(0);
      expect((await t.call('POST', '/api/notifications/seen-all', { as: user })).body.data.count).toBe(0);
      const [e] = await seed(t, user.user.id);
      expect((await act(t, user, e!, 'read')).status).toBe(200);
      await heard({ action: 'read', ids: [e!] }, 0, 0);
    } finally {
      for (const tab of tabs) tab.close();
    }
  });
});
