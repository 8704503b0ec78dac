import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { openResources } from '../helpers/resources.js';
import { launchBrowser } from './browser.js';

/**
 * A frontend on a sibling origin, in Debian's Chromium: the page is served from
 * http://app.example.test:<port> and calls the API at http://api.example.test:<port> with the
 * platform guide's own fetch wrapper (a JSON content type on every call, credentials: 'include').
 * Both names resolve to this machine through Chromium's host-resolver rules, so the browser applies
 * its real CORS, preflight and SameSite cookie rules. A page on http://evil.test (another site)
 * tries the same calls.
 */

const PASSWORD = 'password-123';
const MINUTE = 60_000;
/** The API's rate-limit windows follow this clock (the page's requests reach the same app). */
const clock = createClock();
let t: TestApp;
let pages: Server;
let browser: Browser;
let pagePort: number;
let apiBase: string;

/** The guide's "complete API client", as a frontend would paste it (the API's base URL filled in). */
const guidePage = (api: string) => `<!doctype html><html><head><title>guide client</title></head><body><script>
const API_BASE_URL = ${JSON.stringify(api)};
async function apiClient(endpoint, options = {}) {
  const response = await fetch(API_BASE_URL + endpoint, {
    ...options,
    headers: { 'Content-Type': 'application/json', ...options.headers },
    credentials: 'include',
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    rateLimit: { limit: response.headers.get('X-RateLimit-Limit'), remaining: response.headers.get('X-RateLimit-Remaining'), reset: response.headers.get('X-RateLimit-Reset') },
    retryAfter: response.headers.get('Retry-After'),
  };
}
window.apiClient = apiClient;
window.tryClient = (endpoint, options) => apiClient(endpoint, options).then((r) => r, (e) => ({ failed: String(e) }));
</script></body></html>`;

/** @herald/client bundled from its source for the browser, as a frontend's build would ship it. */
async function clientBundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url))],
    bundle: true, write: false, format: 'iife', globalName: 'Herald', platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

let bundle: string;
beforeAll(async () => {
  bundle = await clientBundle();
  pages = createServer((req, res) => {
    if (req.url === '/herald-client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return res.end(bundle);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/client' ? `<!doctype html><html><body><script src="/herald-client.js"></script></body></html>` : guidePage(apiBase));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  openResources.add('page server');
  pagePort = (pages.address() as AddressInfo).port;
  t = await createTestApp({ CORS_ORIGINS: `http://app.example.test:${pagePort}`, RATE_LIMIT_OVERRIDES: 'notifications.readAll=2' }, { now: clock.now });
  apiBase = `http://api.example.test:${new URL(t.url).port}`;
  browser = await launchBrowser(['--host-resolver-rules=MAP app.example.test 127.0.0.1, MAP api.example.test 127.0.0.1, MAP evil.test 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((resolve) => pages?.close(resolve));
  openResources.delete('page server');
});

async function open(host: string, path = '/'): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://${host}:${pagePort}${path}`);
  return page;
}

// page.evaluate takes the call as a string: the test compiles without the DOM's types.
type Answer = { status: number; body: any; rateLimit: { limit: string | null; remaining: string | null; reset: string | null }; retryAfter: string | null; failed?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the page
const client = (page: Page, endpoint: string, options: Record<string, unknown> = {}) =>
  page.evaluate(`window.tryClient(${JSON.stringify(endpoint)}, ${JSON.stringify(options)})`) as Promise<Answer>;

async function notify(user: Session, title: string): Promise<string> {
  const res = await t.call('POST', '/api/admin/notifications', { as: await t.admin(), body: { userIds: [user.user.id], type: 'SYSTEM', title, message: `${title}.` } });
  expect(res.status).toBeLessThan(300);
  let id: string | undefined;
  await expect.poll(async () => (id = (await t.call('GET', '/api/notifications', { as: user })).body.data.find((n: { title: string }) => n.title === title)?.id)).toBeDefined();
  return id!;
}

describe('a frontend on a sibling origin, in Chromium', () => {
  it('signs in with a cookie and marks read, marks all read and deletes with the guide\'s client, reading the rate-limit headers', async () => {
    const user = await t.user('VIEWER');
    const first = await notify(user, 'First');
    const second = await notify(user, 'Second');
    const page = await open('app.example.test');

    const login = await client(page, '/api/auth/login', { method: 'POST', body: JSON.stringify({ email: user.user.email, password: PASSWORD }) });
    expect(login.failed).toBeUndefined();
    expect(login.status).toBe(200);
    const list = await client(page, '/api/notifications?page=1&pageSize=20');
    expect(list.status).toBe(200); // the cookie went along: a cross-origin session works
    expect(list.body.data.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining([first, second]));
    expect(Number(list.rateLimit.limit)).toBeGreaterThan(0); // exposed to the page
    expect(list.rateLimit.remaining).not.toBeNull();

    const read = await client(page, `/api/notifications/${first}/read`, { method: 'POST' }); // JSON content type, no body
    expect(read).toMatchObject({ status: 200, body: { success: true, data: { id: first, read: true } } });
    const missing = await client(page, '/api/notifications/00000000-0000-4000-8000-000000000000/read', { method: 'POST' });
    expect(missing).toMatchObject({ status: 404, body: { error: 'Notification not found' } });
    const removed = await client(page, `/api/notifications/${second}`, { method: 'DELETE' });
    expect(removed).toMatchObject({ status: 200, body: { success: true } });

    // read-all allows 2 a minute here; the 429 and its Retry-After are readable cross-origin. 1.5 s
    // into a minute of the API's clock, no window ends under the burst: two pass, three are refused.
    clock.nextWindow(MINUTE);
    clock.advance(1_500);
    const reset = String(clock.now() / 1000 - 1.5 + 60);
    const burst: Answer[] = [];
    for (let i = 0; i < 5; i++) burst.push(await client(page, '/api/notifications/read-all', { method: 'POST' }));
    expect(burst.map((a) => [a.failed, a.status, a.rateLimit, a.retryAfter])).toEqual([
      [undefined, 200, { limit: '2', remaining: '1', reset }, null],
      [undefined, 200, { limit: '2', remaining: '0', reset }, null],
      ...Array(3).fill([undefined, 429, { limit: '2', remaining: '0', reset }, '59']),
    ]);
    for (const limited of burst.slice(2)) expect(limited.body).toEqual({ success: false, error: 'Too many requests. Please try again later.' });

    const inbox = (await t.call('GET', '/api/notifications', { as: user })).body.data as Array<{ id: string; read: boolean }>;
    expect(inbox.map((n) => n.id)).toEqual([first]);
    expect(inbox[0]!.read).toBe(true);
    await page.context().close();
  });

  it('runs @herald/client with a cross-origin baseUrl: cookie sign-in, calls, rate limits and the live stream', async () => {
    const user = await t.user('VIEWER');
    const first = await notify(user, 'Seen by the client');
    const page = await open('app.example.test', '/client');
    const script = `(async () => {
      const herald = Herald.createHeraldClient({ baseUrl: ${JSON.stringify(apiBase)} });
      await herald.auth.login(${JSON.stringify(user.user.email)}, ${JSON.stringify(PASSWORD)});
      const list = await herald.notifications.list({ read: false });
      const read = await herald.notifications.markRead(${JSON.stringify(first)});
      const rateLimit = herald.http.rateLimits.get('GET /api/notifications') ?? null;
      window.live = [];
      window.subscription = herald.subscribe({ onNotification: (n) => window.live.push(n.title) });
      return { ids: list.data.map((n) => n.id), read: read.data.read, rateLimit };
    })()`;
    const result = await page.evaluate(script) as { ids: string[]; read: boolean; rateLimit: { limit: number; remaining: number } | null };
    expect(result.ids).toContain(first);
    expect(result.read).toBe(true);
    expect(result.rateLimit?.limit).toBeGreaterThan(0); // X-RateLimit-* are exposed to the page
    await expect.poll(() => page.evaluate('window.subscription.status')).toBe('open');
    await notify(user, 'Arrives live');
    await expect.poll(() => page.evaluate('window.live')).toEqual(['Arrives live']);
    await page.evaluate('window.subscription.close()');
    await page.context().close();
  });

  it('gives a page on another site nothing: its reads fail in the browser and its writes change nothing', async () => {
    const user = await t.user('VIEWER');
    const target = await notify(user, 'Keep me unread');
    // The user is signed in at the API in this browser (through the allowed frontend)...
    const app = await open('app.example.test');
    expect((await client(app, '/api/auth/login', { method: 'POST', body: JSON.stringify({ email: user.user.email, password: PASSWORD }) })).status).toBe(200);
    // ...then visits another site in the same browser, which calls the API with the guide's client.
    const evil = await app.context().newPage();
    await evil.goto(`http://evil.test:${pagePort}/`);
    const read = await client(evil, '/api/notifications');
    expect(read.failed).toMatch(/TypeError|Failed to fetch/); // no grant: the browser withholds the answer
    const write = await client(evil, `/api/notifications/${target}/read`, { method: 'POST' });
    expect(write.failed).toMatch(/TypeError|Failed to fetch/); // the preflight is refused
    // A "simple" request needs no preflight; the SameSite cookie does not go with it to another site.
    const simple = await evil.evaluate(`fetch(${JSON.stringify(`${apiBase}/api/notifications/read-all`)}, { method: 'POST', credentials: 'include', mode: 'no-cors' }).then(() => 'sent', (e) => String(e))`);
    expect(simple).toBe('sent');
    expect((await client(app, '/api/notifications')).body.data.find((n: { id: string }) => n.id === target)).toMatchObject({ read: false });
    await app.context().close();
  });
});
