import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createHeraldClient, NOTIFICATION_TYPES } from '../../packages/client/src/index.js';
import { freePort } from '../../src/platform/net.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { checkedFetch, clientFor, failure } from './helpers.js';

/** The client's inbox, auth, errors and rate limits, against the real service. */
let t: TestApp;
/** The rate limits' one-minute windows follow it: a test's few calls never straddle two unless it moves it. */
const clock = createClock();
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.readAll=2' }, { now: clock.now });
  viewer = await t.user('VIEWER');
});
afterAll(() => t?.close());

async function seed(session: Session, items: Array<{ title: string; priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT'; type?: 'SYSTEM' | 'PAYOUT' }>) {
  for (const item of items) {
    await t.app.services.notifications.notify({ userIds: [session.user.id], type: item.type ?? 'SYSTEM', title: item.title, message: `${item.title}.`, priority: item.priority ?? 'MEDIUM' });
  }
}

describe('notificationApi', () => {
  it('lists with filters and pagination, counts, marks read, marks all read, deletes', async () => {
    const me = await t.user('VIEWER');
    await seed(me, [{ title: 'low', priority: 'LOW' }, { title: 'urgent', priority: 'URGENT' }, { title: 'paid', type: 'PAYOUT' }]);
    const herald = clientFor(t, me);

    const all = await herald.notifications.list({ pageSize: 2 });
    expect(all.data.map((n) => n.title)).toEqual(['urgent', 'paid']);
    expect(all.pagination).toEqual({ page: 1, pageSize: 2, total: 3, totalPages: 2 });
    expect((await herald.notifications.list({ page: 2, pageSize: 2 })).data.map((n) => n.title)).toEqual(['low']);
    expect((await herald.notifications.list({ type: 'PAYOUT' })).data.map((n) => n.title)).toEqual(['paid']);
    expect((await herald.notifications.list({ priority: 'LOW' })).data.map((n) => n.title)).toEqual(['low']);
    expect((await herald.notifications.unreadCount()).data.count).toBe(3);

    const urgent = all.data[0]!;
    const read = await herald.notifications.markRead(urgent.id);
    expect(read.data).toEqual({ id: urgent.id, read: true, readAt: expect.any(String) });
    expect((await herald.notifications.list({ read: true })).data.map((n) => n.id)).toEqual([urgent.id]);
    expect((await herald.notifications.list({ read: false })).pagination.total).toBe(2);

    expect((await herald.notifications.markAllRead()).data.count).toBe(2);
    expect((await herald.notifications.unreadCount()).data.count).toBe(0);

    expect(await herald.notifications.delete(urgent.id)).toEqual({ success: true });
    expect((await herald.notifications.list()).pagination.total).toBe(2);
    const gone = await failure(herald.notifications.markRead(urgent.id));
    expect([gone.status, gone.message, gone.kind]).toEqual([404, 'Notification not found', 'not-found']);
  });

  it('reads and updates preferences; an invalid update is a 400 with details', async () => {
    const herald = clientFor(t, viewer);
    const defaults = await herald.notifications.getPreferences();
    expect(defaults.data).toMatchObject({ userId: viewer.user.id, enabledTypes: [...NOTIFICATION_TYPES], digestFrequency: 'IMMEDIATE', emailEnabled: true, inAppEnabled: true });
    const saved = await herald.notifications.updatePreferences({ digestFrequency: 'DAILY', emailEnabled: false, enabledTypes: ['SYSTEM', 'PAYOUT'], timezone: 'Europe/Paris' });
    expect(saved.data).toMatchObject({ digestFrequency: 'DAILY', emailEnabled: false, enabledTypes: ['PAYOUT', 'SYSTEM'], timezone: 'Europe/Paris' });
    expect((await herald.notifications.getPreferences()).data).toEqual(saved.data);

    // A frontend bug the types would catch; sent anyway to see the server's answer mapped.
    const bad = await failure(herald.notifications.updatePreferences({ digestFrequency: 'HOURLY' } as never));
    expect([bad.status, bad.message, bad.kind]).toEqual([400, 'Invalid request body', 'invalid']);
    expect(bad.details).toEqual([expect.objectContaining({ path: ['digestFrequency'], code: expect.any(String), message: expect.any(String) })]);
  });
});

describe('auth and errors', () => {
  it('signs in with a bearer token or the session cookie, and signs out', async () => {
    const anonymous = clientFor(t, null);
    const login = await anonymous.auth.login(viewer.user.email, 'password-123');
    expect(login.data.user).toEqual(viewer.user);
    const bearer = clientFor(t, login.data.token);
    expect((await bearer.auth.me()).user.email).toBe(viewer.user.email);

    // Node's fetch keeps no cookie jar: pass the cookie the login set, as a browser would.
    const res = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: viewer.user.email, password: 'password-123' }) });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const cookied = clientFor(t, null, { headers: { cookie } });
    expect((await cookied.auth.me()).user.id).toBe(viewer.user.id);
    expect((await cookied.notifications.markAllRead()).success).toBe(true);

    expect(await bearer.auth.logout()).toEqual({ success: true });
    const after = await failure(bearer.auth.me());
    expect([after.status, after.message, after.kind]).toEqual([401, 'Unauthorized', 'unauthorized']);
    const wrong = await failure(anonymous.auth.login(viewer.user.email, 'nope-nope'));
    expect([wrong.status, wrong.message]).toEqual([401, 'Invalid email or password']);
  });

  it('changes the password: the old token stops working, the returned one works', async () => {
    const me = await t.user('VIEWER');
    const old = clientFor(t, me.token);
    const changed = await old.auth.changePassword('password-123', 'a-new-passphrase');
    expect(changed.data.user.id).toBe(me.user.id);
    expect([(await failure(old.auth.me())).status]).toEqual([401]);
    expect((await clientFor(t, changed.data.token).auth.me()).user.id).toBe(me.user.id);
    const wrong = await failure(clientFor(t, changed.data.token).auth.changePassword('password-123', 'another-passphrase'));
    expect([wrong.status, wrong.kind]).toEqual([400, 'invalid']);
  });

  it('maps 403, 409 and an unreachable server to ApiError', async () => {
    const forbidden = await failure(clientFor(t, viewer).adminJobs.health());
    expect([forbidden.status, forbidden.message, forbidden.kind]).toEqual([403, 'Forbidden: Admin access required', 'forbidden']);
    const admin = clientFor(t, await t.admin());
    const taken = await failure(admin.admin.createUser({ email: viewer.user.email, password: 'password-123', role: 'VIEWER' }));
    expect([taken.status, taken.kind]).toEqual([409, 'conflict']);

    const offline = createHeraldClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    const error = await failure(offline.notifications.unreadCount());
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.kind, error.path]).toEqual([0, 'network', '/api/notifications/unread-count']);
  });
});

/** 1.5 s into a fresh one-minute window (58.5 s left: Retry-After 59). */
function oneWindow(): void {
  clock.nextWindow(60_000);
  clock.advance(1_500);
}

describe('rate limits', () => {
  it('parses the X-RateLimit headers of every limited answer', async () => {
    const herald = clientFor(t, await t.user('VIEWER'));
    const result = await herald.http.callWithMeta('GET /api/notifications');
    expect(result.rateLimit).toEqual({ limit: 100, remaining: 99, reset: expect.any(Number) });
    expect(result.rateLimit!.reset * 1000).toBe((Math.floor(clock.now() / 60_000) + 1) * 60_000);
    await herald.notifications.unreadCount();
    expect(herald.http.rateLimits.get('GET /api/notifications/unread-count')).toMatchObject({ limit: 200, remaining: 199 });
  });

  it('throws a 429 with Retry-After and the limit when told not to retry', async () => {
    const me = await t.user('VIEWER');
    const seen: number[] = [];
    const herald = clientFor(t, me, { retry: false, onRateLimited: ({ retryAfter }) => seen.push(retryAfter) });
    oneWindow();
    await herald.notifications.markAllRead();
    await herald.notifications.markAllRead();
    const limited = await failure(herald.notifications.markAllRead());
    expect([limited.status, limited.kind, limited.message]).toEqual([429, 'rate-limited', 'Too many requests. Please try again later.']);
    expect(limited.retryAfter).toBe(59);
    expect(limited.rateLimit).toMatchObject({ limit: 2, remaining: 0 });
    expect(seen).toEqual([limited.retryAfter]);
  });

  it('waits Retry-After and repeats a 429, then succeeds', async () => {
    const me = await t.user('VIEWER');
    const waits: number[] = [];
    // The client's sleep moves the clock the window follows: the wait is real to the service, instant here.
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    };
    oneWindow();
    const herald = createHeraldClient({ baseUrl: t.url, token: me.token, fetch: checkedFetch(t), sleep, retry: { maxRetries: 1, maxRetryAfterSeconds: 60 } });
    await herald.notifications.markAllRead();
    await herald.notifications.markAllRead();
    expect((await herald.notifications.markAllRead()).success).toBe(true);
    // Retry-After of 1.5 s into the window, whole seconds: the retry lands in the next window.
    expect(waits).toEqual([59_000]);

    // Past maxRetryAfterSeconds it does not wait at all (the retry counted once in the new window).
    const impatient = createHeraldClient({ baseUrl: t.url, token: me.token, sleep, retry: { maxRetryAfterSeconds: 0 } });
    await impatient.notifications.markAllRead();
    expect((await failure(impatient.notifications.markAllRead())).status).toBe(429);
    expect(waits).toHaveLength(1);
  });
});
