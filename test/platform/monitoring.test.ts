import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_REQUIRED } from '../../src/platform/http/auth.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * MONITORING_TOKEN: a health check's credential that is not an expiring admin session. It reads
 * the read-only health views and the metrics, and nothing else: every other route that needs a
 * credential answers it as it answers no credential at all.
 */
const MONITORING = 'monitoring-token-0123456789';
const SCRAPE = 'scrape-token-0123456789abc';
const HEALTH_VIEWS = ['/api/admin/jobs/health', '/api/admin/jobs/workers', '/api/admin/jobs/queues', '/api/admin/jobs/schedulers'];

let t: TestApp;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp({ MONITORING_TOKEN: MONITORING, METRICS_TOKEN: SCRAPE });
  viewer = await t.user('VIEWER');
});
afterAll(() => t.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, randomUUID());

describe('MONITORING_TOKEN', () => {
  it('reads the job health report and the other health views without a session', async () => {
    const health = await t.call('GET', '/api/admin/jobs/health', { as: MONITORING });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ success: true, data: { healthy: expect.any(Boolean) } });
    expect(health.headers.get('x-ratelimit-limit')).toBe('100');
    for (const path of HEALTH_VIEWS) expect((await t.call('GET', path, { as: MONITORING })).status, path).toBe(200);
    expect(t.app.routes.filter((r) => r.monitoring).map((r) => `${r.method} ${r.url}`).sort()).toEqual(HEALTH_VIEWS.map((p) => `GET ${p}`).sort());
  });

  it('scrapes /metrics and /metrics/queues, as METRICS_TOKEN still does', async () => {
    for (const path of ['/metrics', '/metrics/queues']) {
      expect((await fetch(`${t.url}${path}`, { headers: bearer(MONITORING) })).status, path).toBe(200);
      expect((await fetch(`${t.url}${path}`, { headers: bearer(SCRAPE) })).status, path).toBe(200);
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(401);
    }
  });

  it('grants nothing else: past the health views, every route needing a credential answers it 401 Unauthorized', async () => {
    expect((await t.call('GET', '/api/admin/jobs/health', { as: MONITORING })).status).toBe(200);
    const wrong: string[] = [];
    for (const route of t.app.routes.filter((r) => (r.access === 'user' || r.access === 'admin') && !r.monitoring)) {
      const res = await t.call(route.method, concrete(route.url), { as: MONITORING, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      if (res.status !== 401 || res.body?.error !== 'Unauthorized') wrong.push(`${route.method} ${route.url} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
    // Not even where a session would act on a public route.
    expect((await t.call('GET', '/api/auth/me', { as: MONITORING })).status).toBe(401);
  });

  it('on the health views, refuses a wrong token, a near miss, the token as a cookie and the scrape token; sessions work as before', async () => {
    expect((await t.call('GET', '/api/admin/jobs/health', { as: MONITORING })).status).toBe(200);
    for (const token of ['monitoring-token-0123456780', `${MONITORING}x`, MONITORING.slice(0, -1), SCRAPE]) {
      const res = await t.call('GET', '/api/admin/jobs/health', { as: token });
      expect([token, res.status, res.body]).toEqual([token, 401, { success: false, error: 'Unauthorized' }]);
    }
    const cookie = await fetch(`${t.url}/api/admin/jobs/health`, { headers: { cookie: `herald_session=${MONITORING}` } });
    expect(cookie.status).toBe(401);

    const admin = await t.admin();
    for (const path of HEALTH_VIEWS) expect((await t.call('GET', path, { as: admin })).status, path).toBe(200);
    expect(await t.call('GET', '/api/admin/jobs/health', { as: viewer })).toMatchObject({ status: 403, body: { success: false, error: ADMIN_REQUIRED } });
    expect((await t.call('GET', '/api/admin/jobs/health')).status).toBe(401);
  });

  it('reads no user: a paused schedule\'s pausedBy (an admin\'s user id) is null for it, set for an admin', async () => {
    const admin = await t.admin();
    expect((await t.call('POST', '/api/admin/jobs/schedulers/media-sweep/pause', { as: admin })).status).toBe(200);
    try {
      const sweep = async (as: Session | string) => (await t.call('GET', '/api/admin/jobs/schedulers', { as })).body.data.find((s: { id: string }) => s.id === 'media-sweep');
      expect(await sweep(admin)).toMatchObject({ paused: true, pausedBy: admin.user.id });
      expect(await sweep(MONITORING)).toMatchObject({ paused: true, pausedBy: null, pausedAt: expect.any(String) });
      expect(JSON.stringify((await t.call('GET', '/api/admin/jobs/schedulers', { as: MONITORING })).body)).not.toContain(admin.user.id);
    } finally {
      expect((await t.call('POST', '/api/admin/jobs/schedulers/media-sweep/resume', { as: admin })).status).toBe(200);
    }
  });

  it('is documented on the routes it opens', async () => {
    const doc = (await t.call('GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/admin/jobs/health'].get.description).toContain('MONITORING_TOKEN');
    expect(doc.paths['/api/admin/jobs/audit'].get.description).not.toContain('MONITORING_TOKEN');
  });
});
