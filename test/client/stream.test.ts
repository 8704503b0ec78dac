import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createHeraldClient, type Notification, type StreamStatus, type Subscription } from '../../packages/client/src/index.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/** subscribe(): the SSE stream of the real service, its resume, reconnects and the polling fallback. */
let t: TestApp;
const open: Subscription[] = [];

beforeAll(async () => {
  t = await createTestApp();
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => t?.close());

interface Watch { notifications: Notification[]; counts: number[]; statuses: StreamStatus[]; errors: unknown[] }

function watch(session: Session | string, options: Parameters<ReturnType<typeof createHeraldClient>['subscribe']>[0] = {}, fetchImpl?: typeof fetch) {
  const seen: Watch = { notifications: [], counts: [], statuses: [], errors: [] };
  const herald = createHeraldClient({ baseUrl: t.url, token: typeof session === 'string' ? session : session.token, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const subscription = herald.subscribe({
    onNotification: (n) => seen.notifications.push(n), onUnreadCount: (c) => seen.counts.push(c),
    onStatus: (s) => seen.statuses.push(s), onError: (e) => seen.errors.push(e), ...options,
  });
  open.push(subscription);
  return { seen, subscription };
}

const until = (check: () => boolean, ms = 10_000) => waitFor(async () => check(), ms, 20);

async function notify(session: Session, title: string): Promise<void> {
  const admin = createHeraldClient({ baseUrl: t.url, token: (await t.admin()).token });
  await admin.admin.notify({ userIds: [session.user.id], type: 'MESSAGE', title, message: `${title}!`, priority: 'HIGH' });
}

describe('subscribe()', () => {
  it('receives notifications and unread counts live, and resumes from lastEventId', async () => {
    const me = await t.user('VIEWER');
    const { seen, subscription } = watch(me);
    expect(await until(() => subscription.status === 'open' && seen.counts.length > 0)).toBe(true);
    expect(seen.counts[0]).toBe(0);
    await notify(me, 'Live one');
    expect(await until(() => seen.notifications.length === 1 && seen.counts.at(-1) === 1)).toBe(true);
    expect(seen.notifications[0]).toMatchObject({ title: 'Live one', type: 'MESSAGE', priority: 'HIGH', read: false });
    expect(subscription.lastEventId).toBeTruthy();

    subscription.close();
    expect(seen.statuses.at(-1)).toBe('closed');
    await notify(me, 'While away');
    const resumed = watch(me, { lastEventId: subscription.lastEventId! });
    expect(await until(() => resumed.seen.notifications.length === 1)).toBe(true);
    expect(resumed.seen.notifications[0]!.title).toBe('While away');
    expect(await until(() => resumed.seen.counts.at(-1) === 2)).toBe(true);
  });

  it('reconnects with Last-Event-ID after the connection drops, missing nothing', async () => {
    const me = await t.user('VIEWER');
    const streams: Array<{ controller: AbortController; lastEventId: string | null }> = [];
    const dropping: typeof fetch = (input, init) => {
      if (!String(input).endsWith('/api/notifications/stream')) return fetch(input, init);
      const controller = new AbortController();
      init?.signal?.addEventListener('abort', () => controller.abort());
      streams.push({ controller, lastEventId: new Headers(init?.headers).get('last-event-id') });
      return fetch(input, { ...init, signal: controller.signal });
    };
    const { seen, subscription } = watch(me, {}, dropping);
    expect(await until(() => subscription.status === 'open')).toBe(true);
    await notify(me, 'Before the drop');
    expect(await until(() => seen.notifications.length === 1)).toBe(true);
    const before = subscription.lastEventId;

    streams[0]!.controller.abort(); // the network drops the connection
    await notify(me, 'During the drop');
    expect(await until(() => seen.notifications.length === 2)).toBe(true);
    expect(seen.notifications.map((n) => n.title)).toEqual(['Before the drop', 'During the drop']);
    expect(streams).toHaveLength(2);
    expect(streams[1]!.lastEventId).toBe(before);
    expect(seen.statuses).toEqual(['open', 'connecting', 'open']);
  });

  it('falls back to polling while the stream cannot be had', async () => {
    const me = await t.user('VIEWER');
    await notify(me, 'Already there');
    const noStream: typeof fetch = (input, init) =>
      (String(input).endsWith('/api/notifications/stream') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const { seen, subscription } = watch(me, { failuresBeforePolling: 1, pollIntervalMs: 100 }, noStream);
    expect(await until(() => subscription.status === 'polling' && seen.counts.length > 0)).toBe(true);
    expect(seen.counts[0]).toBe(1);
    expect(seen.notifications).toEqual([]); // what was there before is not news
    await notify(me, 'Polled');
    expect(await until(() => seen.notifications.length === 1 && seen.counts.at(-1) === 2)).toBe(true);
    expect(seen.notifications[0]!.title).toBe('Polled');
    expect(seen.errors[0]).toMatchObject({ status: 0, kind: 'network' });
  });

  it('ends the subscription when the server ends the stream because the session ended (sign-out elsewhere)', async () => {
    const me = await t.user('VIEWER');
    let streamRequests = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/api/notifications/stream')) streamRequests++;
      return fetch(input, init);
    };
    const { seen, subscription } = watch(me, {}, counting);
    expect(await until(() => subscription.status === 'open')).toBe(true);
    expect((await t.call('POST', '/api/auth/logout', { as: me })).status).toBe(200);
    expect(await until(() => subscription.status === 'closed')).toBe(true);
    expect(streamRequests).toBe(1); // told why, it does not knock again with a dead session
    expect(seen.errors.at(-1)).toBeInstanceOf(ApiError);
    expect((seen.errors.at(-1) as ApiError).status).toBe(401);
    expect(seen.statuses).not.toContain('polling');
  });

  it('asks for a resync when the server cannot replay everything missed', async () => {
    const me = await t.user('VIEWER');
    const { subscription } = watch(me);
    await notify(me, 'Before going away');
    expect(await until(() => subscription.lastEventId !== null)).toBe(true);
    const resumeFrom = subscription.lastEventId!;
    subscription.close();
    // More than the replay carries (256 KiB): 24 notifications with 12 KiB of metadata each.
    const admin = createHeraldClient({ baseUrl: t.url, token: (await t.admin()).token });
    for (let i = 0; i < 24; i++) {
      await admin.admin.notify({ userIds: [me.user.id], type: 'MESSAGE', title: `Missed ${i}`, message: 'x', metadata: { blob: 'y'.repeat(12 * 1024) } });
    }
    await expect.poll(async () => (await t.call('GET', '/api/notifications/unread-count', { as: me })).body.data.count).toBe(25);
    let resyncs = 0;
    const back = watch(me, { lastEventId: resumeFrom, onResync: () => resyncs++ });
    expect(await until(() => resyncs === 1 && back.subscription.status === 'open')).toBe(true);
  });

  it('stops on 401: a signed-out session is not retried forever', async () => {
    const { seen, subscription } = watch('not-a-session');
    expect(await until(() => subscription.status === 'closed')).toBe(true);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]).toBeInstanceOf(ApiError);
    expect((seen.errors[0] as ApiError).status).toBe(401);
  });
});
