import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/config.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

let t: TestApp;
let user: Session;

beforeAll(async () => {
  t = await createTestApp();
  user = await t.user('VIEWER');
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

  it.each(LIMITED)('%s %s allows %i a minute, with headers on every response, then 429', async (method, path, limit) => {
    const me = await t.user('CREATOR');
    const body = method === 'PATCH' ? {} : undefined;
    const nowSec = Math.floor(Date.now() / 1000);
    const first = await t.call(method, path, { as: me, body });
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(first.headers.get('x-ratelimit-remaining')).toBe(String(limit - 1));
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    // Unix seconds of the end of the current one-minute window.
    expect(reset).toBeGreaterThan(nowSec);
    expect(reset).toBeLessThanOrEqual(nowSec + 61);
    // Spend the rest of the window concurrently (the counter is atomic in Redis).
    const rest = await Promise.all(Array.from({ length: limit - 1 }, () => t.call(method, path, { as: me, body })));
    const statuses = new Set(rest.map((r) => r.status));
    // A minute boundary may fall inside this burst; then a few requests start the next window.
    const over = await t.call(method, path, { as: me, body });
    if (Number(over.headers.get('x-ratelimit-reset')) === reset || over.status === 429) {
      expect(statuses.has(429)).toBe(false);
      expect(over.status).toBe(429);
      expect(over.body).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
      const retryAfter = Number(over.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(61);
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    }
  });

  it('counts each user separately', async () => {
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
    const custom = await createTestApp({ RATE_LIMIT_OVERRIDES: 'notifications.readAll=2' });
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
