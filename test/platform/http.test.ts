import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';

let t: TestApp;
let user: Session;

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '4096', RATE_LIMITS: 'off' });
  user = await t.user('VIEWER');
});
afterAll(() => t.close());

describe('contract conventions', () => {
  it('answers unknown routes with a JSON 404', async () => {
    for (const path of ['/nope', '/api/notifications/x/y/z', '/api/../etc/passwd']) {
      const res = await t.call('GET', path, { as: user });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Not found' });
    }
  });

  it('answers an oversized body with 413 and the contract body', async () => {
    const res = await t.call('PATCH', '/api/notifications/preferences', { as: user, body: { enabledTypes: Array(2000).fill('LICENSE') } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: 'Request body too large' });
  });

  it('rejects prototype-pollution keys and malformed JSON with 400', async () => {
    for (const raw of ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}', '{"\\u005f_proto__": {"admin": true}}', '{"c\\u006Fnstructor" : {"prototype": {"x": 1}}}', '{', '[1,', 'null']) {
      const res = await t.call('PATCH', '/api/notifications/preferences', { as: user, body: raw, headers: { 'content-type': 'application/json' } });
      expect(res.status, raw).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body' });
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('sends no stack traces and no internals on errors', async () => {
    const res = await t.call('POST', '/api/auth/login', { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|node_modules/);
  });
});

describe('GET /api/health', () => {
  it('reports both dependencies up', async () => {
    const res = await t.call('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { status: 'ok', postgres: 'up', redis: 'up' } });
  });

  it('answers 503 naming what is down, and recovers by itself', async () => {
    const dbUrl = new URL(t.databaseUrl);
    const pgProxy = await new CuttableProxy(dbUrl.hostname, Number(dbUrl.port || 5432)).start();
    const redisProxy = await new CuttableProxy('127.0.0.1', 6379).start();
    dbUrl.port = String(pgProxy.port);
    const other = await createTestApp({ DATABASE_URL: dbUrl.toString(), REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, RATE_LIMITS: 'on' }, { roles: ['api'] });
    try {
      const me = await other.user('VIEWER');
      await redisProxy.cut();
      const redisDown = await other.call('GET', '/api/health');
      expect(redisDown.status).toBe(503);
      expect(redisDown.body).toMatchObject({ success: false, data: { status: 'unavailable', postgres: 'up', redis: 'down' } });
      // A rate-limited endpoint cannot count the request: 503, not 500, and not unlimited.
      const limited = await other.call('GET', '/api/notifications', { as: me });
      expect(limited.status).toBe(503);
      expect(limited.body).toEqual({ success: false, error: 'Service unavailable' });
      await redisProxy.restore();
      expect(await waitFor(async () => (await other.call('GET', '/api/health')).status === 200, 10_000, 200)).toBe(true);
      expect((await other.call('GET', '/api/notifications', { as: me })).status).toBe(200);

      await pgProxy.cut();
      const pgDown = await other.call('GET', '/api/health');
      expect(pgDown.status).toBe(503);
      expect(pgDown.body).toMatchObject({ success: false, data: { postgres: 'down', redis: 'up' } });
      const read = await other.call('GET', '/api/notifications', { as: me });
      expect(read.status).toBe(503);
      await pgProxy.restore();
      expect(await waitFor(async () => (await other.call('GET', '/api/health')).status === 200, 10_000, 200)).toBe(true);
      expect((await other.call('GET', '/api/notifications', { as: me })).status).toBe(200);
    } finally {
      await other.close();
      await pgProxy.close();
      await redisProxy.close();
    }
  });
});
