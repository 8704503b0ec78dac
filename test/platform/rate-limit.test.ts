import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/config.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Call, type Session, type TestApp } from '../helpers/context.js';

/**
 * The windows follow a clock the tests drive (test/helpers/clock.ts): a burst starts just inside a
 * window and no window ends under it unless a test moves the clock. The client connects from
 * loopback, the trusted proxy here: X-Forwarded-For sets the client's IP.
 */
const MINUTE = 60_000;
const clock = createClock();
let t: TestApp;
let user: Session;

beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' }, { now: clock.now });
  user = await t.user('VIEWER');
});

/** 1.5 s into a fresh one-minute window; its end in Unix seconds. */
function freshWindow(): number {
  clock.nextWindow(MINUTE);
  clock.advance(1_500);
  return Math.floor(clock.now() / MINUTE) * 60 + 60;
}

const TOO_MANY = { success: false, error: 'Too many requests. Please try again later.' };

/** The headers of a limited answer, as the contract states them. */
const limitHeaders = (r: Call) => ({
  limit: r.headers.get('x-ratelimit-limit'), remaining: r.headers.get('x-ratelimit-remaining'), reset: r.headers.get('x-ratelimit-reset'), retryAfter: r.headers.get('retry-after'),
});
afterAll(() => t.close());

const LIMITED = [
  ['GET', '/api/notifications', 100],
  ['GET', '/api/notifications/unread-count', 200],
  ['POST', '/api/notifications/00000000-0000-4000-8000-000000000000/read', 100],
  ['POST', '/api/notifications/read-all', 10],
  ['GET', '/api/notifications/preferences', 50],
  ['PATCH', '/api/notifications/preferences', 10],
] as const;

describe('per-user, per-endpoint rate limits', () => {
  it('match the contract table', () => {
    expect(DEFAULT_RATE_LIMITS).toMatchObject({
      'notifications.list': 100, 'notifications.unreadCount': 200, 'notifications.markRead': 100, 'notifications.readAll': 10,
      'notifications.preferences.get': 50, 'notifications.preferences.update': 10, 'admin.jobs': 100,
    });
  });

  it.each(LIMITED)('%s %s allows %i a minute, with headers on every response, then 429 until the window ends', async (method, path, limit) => {
    const me = await t.user('CREATOR');
    const body = method === 'PATCH' ? {} : undefined;
    const reset = freshWindow();
    const first = await t.call(method, path, { as: me, body });
    // Spend the rest of the window concurrently (the counter is atomic in Redis).
    const rest = await Promise.all(Array.from({ length: limit - 1 }, () => t.call(method, path, { as: me, body })));
    const over = await t.call(method, path, { as: me, body });
    for (const r of [first, ...rest]) {
      expect(r.status).not.toBe(429);
      expect(limitHeaders(r)).toEqual({ limit: String(limit), remaining: expect.any(String), reset: String(reset), retryAfter: null });
    }
    expect(limitHeaders(first).remaining).toBe(String(limit - 1));
    // Each count of the window answered exactly once: limit-1, limit-2, …, 0.
    expect([first, ...rest].map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => b - a))
      .toEqual(Array.from({ length: limit }, (_, i) => limit - 1 - i));
    expect(over.status).toBe(429);
    expect(over.body).toEqual(TOO_MANY);
    // 1.5 s into the minute: 58.5 s left, rounded up.
    expect(limitHeaders(over)).toEqual({ limit: String(limit), remaining: '0', reset: String(reset), retryAfter: '59' });
    // Still refused the last second of the window; the next window answers again, with its headers.
    clock.advance(MINUTE - 1_501);
    const last = await t.call(method, path, { as: me, body });
    expect([last.status, limitHeaders(last)]).toEqual([429, { limit: String(limit), remaining: '0', reset: String(reset), retryAfter: '1' }]);
    clock.advance(1);
    const next = await t.call(method, path, { as: me, body });
    expect(next.status).not.toBe(429);
    expect(limitHeaders(next)).toEqual({ limit: String(limit), remaining: String(limit - 1), reset: String(reset + 60), retryAfter: null });
  });

  it('admin.jobs: an admin gets 100 a minute across the admin API, then 429 with the headers', async () => {
    const admin = await t.admin();
    const reset = freshWindow();
    const paths = ['/api/admin/jobs/workers', '/api/admin/jobs/queues', '/api/admin/emails', '/api/admin/jobs/aggregation/logs'];
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => t.call('GET', paths[i % paths.length]!, { as: admin })));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(limitHeaders(r)).toMatchObject({ limit: '100', reset: String(reset), retryAfter: null });
    }
    expect(answers.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const path of paths) {
      const over = await t.call('GET', path, { as: admin });
      expect([over.status, over.body, limitHeaders(over)]).toEqual([429, TOO_MANY, { limit: '100', remaining: '0', reset: String(reset), retryAfter: '59' }]);
    }
    clock.nextWindow(MINUTE);
    expect((await t.call('GET', paths[0]!, { as: admin })).status).toBe(200);
  });

  it('counts a user\'s requests whatever the IP they come from', async () => {
    const me = await t.user('VIEWER');
    freshWindow();
    for (let i = 0; i < 10; i++) {
      const res = await t.call('POST', '/api/notifications/read-all', { as: me, headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
      expect([res.status, res.headers.get('x-ratelimit-remaining')]).toEqual([200, String(9 - i)]);
    }
    for (const ip of ['203.0.113.7', '2001:db8::7']) {
      expect((await t.call('POST', '/api/notifications/read-all', { as: me, headers: { 'x-forwarded-for': ip } })).status).toBe(429);
    }
    expect((await t.call('POST', '/api/notifications/read-all', { as: me })).status).toBe(429);
  });

  it('counts each user separately', async () => {
    freshWindow();
    const a = await t.user('VIEWER');
    const b = await t.user('VIEWER');
    for (let i = 0; i < 10; i++) await t.call('POST', '/api/notifications/read-all', { as: a });
    expect((await t.call('POST', '/api/notifications/read-all', { as: a })).status).toBe(429);
    expect((await t.call('POST', '/api/notifications/read-all', { as: b })).status).toBe(200);
  });

  it('is shared by every API instance', async () => {
    const other = await t.sibling({ roles: ['api'] });
    try {
      const me = await t.user('VIEWER');
      freshWindow();
      for (let i = 0; i < 5; i++) await t.call('POST', '/api/notifications/read-all', { as: me });
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${other.url}/api/notifications/read-all`, { method: 'POST', headers: { authorization: `Bearer ${me.token}` } });
        expect(res.status).toBe(200);
      }
      const res = await fetch(`${other.url}/api/notifications/read-all`, { method: 'POST', headers: { authorization: `Bearer ${me.token}` } });
      expect(res.status).toBe(429);
      expect((await t.call('POST', '/api/notifications/read-all', { as: me })).status).toBe(429);
    } finally {
      await other.stop();
    }
  });

  it('leaves unlimited endpoints without headers', async () => {
    const res = await t.call('GET', '/api/auth/me', { as: user });
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('configuration', () => {
  it('RATE_LIMIT_OVERRIDES changes a limit and RATE_LIMITS=off disables them', async () => {
    const custom = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.readAll=2' }, { now: createClock().now });
    try {
      const me = await custom.user('VIEWER');
      expect((await custom.call('POST', '/api/notifications/read-all', { as: me })).headers.get('x-ratelimit-limit')).toBe('2');
      await custom.call('POST', '/api/notifications/read-all', { as: me });
      expect((await custom.call('POST', '/api/notifications/read-all', { as: me })).status).toBe(429);
    } finally {
      await custom.close();
    }
    const off = await createTestApp({ RATE_LIMITS: 'off' });
    try {
      const me = await off.user('VIEWER');
      for (let i = 0; i < 12; i++) expect((await off.call('POST', '/api/notifications/read-all', { as: me })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
