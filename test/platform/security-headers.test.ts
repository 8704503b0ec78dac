import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspHeader, STRICT_PAGE_CSP } from '../../src/platform/http/page-security.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/** helmet's headers on every HTML page, and not on the JSON API or the media files other origins embed. */
let t: TestApp;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  viewer = await t.user('VIEWER');
});
afterAll(() => t.close());

const PAGES: ReadonlyArray<[string, number]> = [
  ['/', 200], ['/inbox/app.js', 200], ['/admin', 200], ['/admin/app.js', 200], ['/admin/nope.js', 404], ['/api/docs', 200],
  ['/api/notifications/unsubscribe?token=forged', 400],
];

describe('security headers', () => {
  it.each(PAGES)('%s carries helmet headers with a policy that denies framing', async (path, status) => {
    const res = await fetch(t.url + path, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(status);
    const h = Object.fromEntries(res.headers);
    expect(h).toMatchObject({
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-permitted-cross-domain-policies': 'none',
      'x-download-options': 'noopen',
      'x-xss-protection': '0',
    });
    expect(h['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy']).toContain("base-uri 'none'");
    expect(h['content-security-policy']).not.toContain('unsafe-eval');
  });

  it('gives the inbox and dashboard the strict policy, and the unsubscribe page one that loads nothing', async () => {
    for (const path of ['/', '/admin']) expect((await fetch(t.url + path)).headers.get('content-security-policy')).toBe(cspHeader(STRICT_PAGE_CSP));
    const unsubscribe = await fetch(`${t.url}/api/notifications/unsubscribe?token=x`);
    expect(unsubscribe.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
  });

  it('leaves the JSON API and media files to other origins (no same-origin resource policy)', async () => {
    for (const path of ['/api/notifications', '/api/auth/me', '/api/assets/00000000-0000-4000-8000-000000000000/thumbnail', '/api/nope']) {
      const res = await t.call('GET', path, { as: viewer });
      expect(res.headers.get('cross-origin-resource-policy'), path).toBeNull();
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
