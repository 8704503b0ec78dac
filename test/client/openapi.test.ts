import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listQuery, updatePreferencesBody } from '../../src/notifications/notifications.schemas.js';
import { operationIdOf } from '../../src/platform/http/openapi.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * The OpenAPI document is generated from the route table: every route must carry its `openapi`
 * entry (the zod schemas its handler validates with), except the pages and static files below.
 */
const NOT_JSON: Readonly<Record<string, string>> = {
  'GET /': 'the inbox page (HTML)',
  'GET /inbox/:file': 'the inbox page\'s script and styles',
  'GET /admin': 'the admin dashboard page (HTML)',
  'GET /admin/': 'the admin dashboard page (HTML)',
  'GET /admin/:file': 'the admin dashboard\'s static files',
  'GET /api/docs': 'the API docs page (HTML)',
  'GET /api/docs/:file': 'Swagger UI\'s static files',
};

type Operation = { operationId: string; security: unknown[]; responses: Record<string, { content?: object; $ref?: string }>; 'x-rate-limit'?: string; tags: string[] };
let t: TestApp;
let document: { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  t = await createTestApp();
  document = (await t.call('GET', '/api/openapi.json')).body;
});
afterAll(() => t?.close());

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/**
 * Both paths are fixed (the contract's batches/:id, issue 18's :id/timeline) and cannot collide in
 * practice: a notification id is a UUID, never 'batches', and Fastify matches the static segment
 * first. Only this pair is excused; any other ambiguous path still fails.
 */
const KNOWN_AMBIGUOUS = /^warn no-ambiguous-paths: .*`\/api\/admin\/notifications\/\{id\}\/timeline` and `\/api\/admin\/notifications\/batches\/\{id\}`/;

describe('GET /api/openapi.json', () => {
  it('documents every route, or the route is a page or file with its reason listed', () => {
    const missing = t.app.routes.filter((r) => !r.openapi && !(key(r) in NOT_JSON)).map(key);
    expect(missing, 'routes without config.openapi: add { summary, tags, query?, body?, response } to their config').toEqual([]);
    const listed = Object.keys(NOT_JSON).filter((k) => t.app.routes.some((r) => key(r) === k && !r.openapi));
    expect(listed, 'stale entries in NOT_JSON').toEqual(Object.keys(NOT_JSON));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const config = await createConfig({ extends: ['minimal'] } as never);
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
    const found = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(found.filter((p) => !KNOWN_AMBIGUOUS.test(p))).toEqual([]);
  });

  it('has one operation per documented route, with its access rule, rate limit and errors', () => {
    const documented = t.app.routes.filter((r) => r.openapi);
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(operations).toHaveLength(documented.length);
    for (const route of documented) {
      const op = document.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, key(route)).toBeDefined();
      expect(op!.operationId).toBe(operationIdOf(route.method, route.url));
      expect(op!.security, key(route)).toEqual(route.access === 'public' ? [] : [{ cookieAuth: [] }, { bearerAuth: [] }]);
      const statuses = Object.keys(op!.responses);
      expect(statuses.some((s) => /^2\d\d$/.test(s) && op!.responses[s]!.content), key(route)).toBe(true);
      if (route.access !== 'public') expect(statuses, key(route)).toContain('401');
      if (route.access === 'admin') expect(statuses, key(route)).toContain('403');
      if (route.rateLimit) expect([op!['x-rate-limit'], statuses.includes('429')], key(route)).toEqual([route.rateLimit, true]);
    }
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
  });

  it('takes its request schemas from the very objects the handlers parse with', async () => {
    const find = (method: string, url: string) => t.app.routes.find((r) => r.method === method && r.url === url)!.openapi!;
    expect(find('GET', '/api/notifications').query).toBe(listQuery);
    expect(find('PATCH', '/api/notifications/preferences').body).toBe(updatePreferencesBody);
    const list = document.paths['/api/notifications']!.get as unknown as { parameters: Array<{ name: string }> };
    expect(list.parameters.map((p) => p.name)).toEqual(Object.keys(listQuery.shape));
    const refs = JSON.stringify(document).match(/"#\/components\/schemas\/\w+"/g) ?? [];
    for (const ref of new Set(refs)) expect(document.components.schemas, ref).toHaveProperty(ref.slice(22, -1));
  });

  it('describes the CORS behaviour: the allow-list, the grant, the exposed headers and the CSRF 403', () => {
    const info = (document as unknown as { info: { description: string } }).info.description;
    for (const phrase of ['CORS_ORIGINS', 'Access-Control-Allow-Credentials: true', 'never `*`', 'X-RateLimit-Remaining', 'Retry-After', 'Forbidden: cross-origin request', 'empty body']) {
      expect(info, phrase).toContain(phrase);
    }
  });

  it('keeps the analytics part at its old address', async () => {
    const res = await t.call('GET', '/api/analytics/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).every((p: string) => p.startsWith('/api/analytics') || p === '/api/admin/jobs/aggregation/run' || p === '/api/admin/jobs/aggregation/logs')).toBe(true);
    expect(res.body.paths['/api/analytics/events'].post.requestBody).toBeDefined();
  });
});

describe('GET /api/docs', () => {
  it('serves Swagger UI from the package, under a strict CSP, with no CDN', async () => {
    const res = await t.call('GET', '/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const assets = [...(res.body as string).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith('/api/docs/'), asset).toBe(true);
      expect((await fetch(t.url + asset)).status, asset).toBe(200);
    }
    expect((await t.call('GET', '/api/docs/../package.json')).status).toBe(404);
    expect((await t.call('GET', '/api/docs/index.html')).status).toBe(404);
  });
});
