import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * The access matrix, generated from the route table: every route must declare who may call it,
 * and each rule is checked against the live service. A new route without a rule fails here.
 */
let t: TestApp;
let viewer: Session;

// Deliberately public: no session needed (each has its own guard where it matters).
const PUBLIC = new Set([
  'GET /api/health', 'POST /api/auth/login', 'GET /metrics', 'GET /metrics/queues', 'GET /api/notifications/unsubscribe', 'POST /api/notifications/unsubscribe',
  'GET /admin', 'GET /admin/', 'GET /admin/:file', 'GET /api/analytics/openapi.json',
  'GET /', 'GET /inbox/:file', 'GET /api/openapi.json', 'GET /api/docs', 'GET /api/docs/:file',
  // Takes a session or the ANALYTICS_KEY, checked in the route (below).
  'POST /api/analytics/events',
  // Providers' bounce/complaint reports: an SNS signature, Basic credentials or an HMAC, checked in the service.
  'POST /api/webhooks/email/:provider',
]);

beforeAll(async () => {
  t = await createTestApp();
  viewer = await t.user('VIEWER');
});
afterAll(() => t.close());

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, randomUUID());

describe('access matrix', () => {
  it('every route declares its access rule, and the public ones are exactly the expected', () => {
    expect(t.app.routes.length).toBeGreaterThan(40);
    expect(t.app.routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const publicRoutes = t.app.routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(new Set(publicRoutes)).toEqual(PUBLIC);
  });

  it('answers anonymous callers of every signed-in route with 401 Unauthorized', async () => {
    const wrong: string[] = [];
    for (const route of t.app.routes.filter((r) => r.access === 'user' || r.access === 'admin')) {
      const res = await t.call(route.method, concrete(route.url), { body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      if (res.status !== 401 || res.body?.error !== 'Unauthorized') wrong.push(`${route.method} ${route.url} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('still refuses anonymous events and unsigned unsubscribes on their own public routes', async () => {
    expect((await t.call('POST', '/api/analytics/events', { body: { events: [{ eventType: 'asset_viewed' }] } })).status).toBe(401);
    expect((await t.call('POST', '/api/notifications/unsubscribe?token=forged')).status).toBe(400);
  });

  it('answers non-admins on every admin route with 403 and the contract body', async () => {
    const wrong: string[] = [];
    const admin = t.app.routes.filter((r) => r.access === 'admin');
    expect(admin.length).toBeGreaterThan(20);
    for (const route of admin) {
      const res = await t.call(route.method, concrete(route.url), { as: viewer, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      if (res.status !== 403 || res.body?.error !== 'Forbidden: Admin access required') wrong.push(`${route.method} ${route.url} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
