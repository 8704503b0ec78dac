import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CSP } from '../../src/web/web.routes.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the admin page and its files', () => {
  it('serves index.html at /admin and /admin/ with a strict CSP and no caching', async () => {
    for (const path of ['/admin', '/admin/', '/admin/index.html']) {
      const res = await fetch(t.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(ADMIN_CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/admin/app.js"></script>');
      expect(html).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('serves scripts and styles with their content types', async () => {
    const js = await fetch(`${t.url}/admin/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(await js.text()).toContain('/api/auth/me');
    const css = await fetch(`${t.url}/admin/styles.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers unknown files and every way out of web/admin with the JSON 404', async () => {
    for (const path of ['/admin/nope.js', '/admin/..%2Fpackage.json', '/admin/%2E%2E%2F%2E%2E%2Fpackage.json', '/admin/..%5Cpackage.json',
      '/admin/.eslintrc', '/admin/app', '/admin/app.ts', '/admin/x/app.js', '/admin/../package.json', '/admin/%2Fetc%2Fpasswd.css']) {
      const res = await t.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual({ success: false, error: 'Not found' });
    }
  });

  it('needs no session for the page itself; the data stays behind the admin API', async () => {
    expect((await fetch(`${t.url}/admin`)).status).toBe(200);
    expect((await t.call('GET', '/api/admin/jobs/queues')).status).toBe(401);
    const viewer = await t.user('VIEWER');
    expect((await t.call('GET', '/api/admin/jobs/queues', { as: viewer })).status).toBe(403);
  });
});
