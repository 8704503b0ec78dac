import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteAccess } from '../../src/platform/http/auth.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Hostile input over every route of the route table: random and malformed path params, query
 * strings and JSON bodies (injection strings, traversal, unicode, huge values, prototype-pollution
 * keys), as an admin (who passes every access rule) and as a creator. No answer may be a 5xx, and
 * every error must carry the contract's body.
 */
let t: TestApp;
let admin: Session;
let creator: Session;

// Streams answer with an open event stream, not a JSON reply; logout would end the fuzzer's own
// sessions (it has its own tests).
const SKIPPED = new Set(['GET /api/notifications/stream', 'POST /api/auth/logout']);

const HOSTILE = [
  "' OR 1=1 --", "'; DROP TABLE users; --", '"><script>alert(1)</script>', '../../../../etc/passwd', '..%2f..%2fetc%2fpasswd',
  '%00', '\u0000', '\r\nSet-Cookie: x=y', '${jndi:ldap://x}', '{{7*7}}', '😀'.repeat(50), 'Ω≈ç√∫', '-1', '0', '1e309', 'NaN',
  'null', 'true', '[]', '{}', 'x'.repeat(5000), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2025-02-30', '9999-12-31T23:59:59Z', '*', ':*', '!', '&|', '\\', '%', '_',
];

const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.uuid());
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'userId', 'status', 'type')), tie('value'), { maxKeys: 5 })),
})).value;
// Pairs, not a dictionary: a repeated key (`?v=a&v=b`) arrives as an array, which a schema for one
// string must refuse with 400 (it once answered 500 on two routes).
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom('page', 'pageSize', 'q', 'types', 'status', 'type', 'state', 'read', 'from', 'to', 'startDate', 'endDate', 'jobType', 'v', 'size', 'token', 'missing'), text), text), { maxLength: 5 });

const fill = (url: string, params: string[]) => {
  let i = 0;
  return url.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[i++ % params.length] ?? 'x'));
};

function problems(route: RouteAccess, status: number, body: unknown, type: string | null): string | null {
  if (status >= 500) return `${status}`;
  // Pages for people (the unsubscribe confirmation, the dashboard) answer errors in HTML.
  if (status >= 400 && !type?.startsWith('text/html')) {
    const b = body as { success?: unknown; error?: unknown } | null;
    if (!b || b.success !== false || typeof b.error !== 'string') return `${status} without the error body: ${JSON.stringify(body)?.slice(0, 120)}`;
  }
  void route;
  return null;
}

beforeAll(async () => {
  // API only: fuzzed writes must not start background work that outlives the test.
  t = await createTestApp({ RATE_LIMITS: 'off' }, { roles: ['api'] });
  [admin, creator] = await Promise.all([t.admin(), t.user('CREATOR')]);
}, 60_000);
afterAll(() => t.close());

describe('hostile input on every route', () => {
  it('answers an overlong or undecodable path with the contract body', async () => {
    const long = await t.call('GET', `/api/assets/${'x'.repeat(500)}`, { as: creator });
    expect(long).toMatchObject({ status: 404, body: { success: false, error: 'Not found' } });
    const bad = await t.call('GET', '/api/assets/%E0%A4%A', { as: creator });
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
  });

  it('never answers 5xx, and every error has the contract body', async () => {
    const routes = t.app.routes.filter((r) => !SKIPPED.has(`${r.method} ${r.url}`) && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(60);
    const failures: string[] = [];
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...routes), fc.array(text, { minLength: 1, maxLength: 3 }), query, json, fc.boolean(),
      async (route, params, q, body, asAdmin) => {
        const qs = new URLSearchParams(q).toString();
        const path = `${fill(route.url, params)}${qs ? `?${qs}` : ''}`;
        const withBody = route.method !== 'GET' && route.method !== 'DELETE';
        const res = await t.call(route.method, path, { as: asAdmin ? admin : creator, body: withBody ? body : undefined });
        const problem = problems(route, res.status, res.body, res.headers.get('content-type'));
        if (problem) failures.push(`${route.method} ${path.slice(0, 120)} → ${problem}`);
      },
    ), { numRuns: Number(process.env.FUZZ_RUNS ?? 1_500), seed: Number(process.env.FUZZ_SEED ?? 20261129) });
    expect(failures.slice(0, 20)).toEqual([]);
  }, 240_000);

  it('refuses a 10 MB body with 413 and the error body', async () => {
    const res = await t.call('POST', '/api/creators', { as: creator, body: { stageName: 'x'.repeat(10 * 1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ success: false });
  });

  it('does not let prototype-pollution keys through', async () => {
    for (const path of ['/api/creators', '/api/blog/posts', '/api/notifications/preferences']) {
      const method = path.endsWith('preferences') ? 'PATCH' : 'POST';
      const res = await t.call(method, path, { as: creator, body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers NUL characters (which PostgreSQL cannot store) with 400', async () => {
    expect((await t.call('GET', '/api/search/assets?q=%00', { as: creator })).status).toBe(400);
    const res = await t.call('POST', '/api/creators', { as: creator, body: { stageName: 'a\u0000b' } });
    expect(res).toMatchObject({ status: 400, body: { success: false } });
    const meta = await t.call('PATCH', '/api/notifications/preferences', { as: creator, body: { timezone: '\u0000' } });
    expect(meta.status).toBe(400);
  });

  it('answers malformed JSON and wrong content types with 4xx', async () => {
    for (const [body, type] of [['{"a":', 'application/json'], ['a=1', 'application/x-www-form-urlencoded'], ['<x/>', 'text/xml'], ['', 'application/json']]) {
      const res = await t.call('POST', '/api/blog/posts', { as: creator, body, headers: { 'content-type': type! } });
      expect(res.status, `${type} ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${type} ${body}`).toBeLessThan(500);
      expect(res.body.success).toBe(false);
    }
  });
});
