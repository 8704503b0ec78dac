import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createClock } from '../helpers/clock.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * The API driven as a frontend written from the platform's integration guide drives it: its fetch
 * wrapper sends `Content-Type: application/json` on every call, body or not, with
 * `credentials: 'include'`, from the app's own origin or from a sibling one. Node's fetch stands in
 * for the browser here (the browser itself: cross-origin.browser.test.ts), so the Origin and Cookie
 * headers a browser would add are set by hand.
 */

const APP_ORIGIN = 'https://app.example.com';
const FOREIGN = 'https://evil.example';
const PASSWORD = 'password-123';
const EXPOSED = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'];
const NIL = '00000000-0000-4000-8000-000000000000';

const MINUTE = 60_000;
/** The rate-limit windows follow this clock: none ends under a burst unless a test moves it. */
const clock = createClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example.com`, RATE_LIMIT_OVERRIDES: 'notifications.readAll=3' }, { now: clock.now });
});
afterAll(async () => t?.close());

interface Sent { status: number; headers: Headers; body: { success: boolean; error?: string; details?: Array<{ code: string; path: unknown[] }>; data?: unknown } | null }

/** The guide's `apiClient`: JSON content type always, the body only when there is one. */
async function guideFetch(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const res = await fetch(t.url + path, { method: init.method ?? 'GET', headers: { 'Content-Type': 'application/json', ...init.headers }, body: init.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function cookieSession(role: 'VIEWER' | 'CREATOR' | 'ADMIN' = 'VIEWER'): Promise<{ session: Session; cookie: string }> {
  const session = role === 'ADMIN' ? await t.admin() : await t.user(role);
  const res = await fetch(`${t.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
    body: JSON.stringify({ email: session.user.email, password: role === 'ADMIN' ? 'admin-password-1' : PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = /herald_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  return { session, cookie };
}

/** A notification for the user, through the admin API; resolves to its id once it is in the inbox. */
const notify = async (user: Session) => {
  const res = await t.call('POST', '/api/admin/notifications', { as: await t.admin(), body: { userIds: [user.user.id], type: 'SYSTEM', title: 'Hello', message: 'From the test' } });
  expect(res.status).toBeLessThan(300);
  let id: string | undefined;
  await expect.poll(async () => {
    id = (await t.call('GET', '/api/notifications', { as: user })).body.data?.[0]?.id;
    return id;
  }).toBeDefined();
  return id!;
};

describe('empty bodies are no bodies', () => {
  it('answers every bodiless write the same with a JSON content type and no body, with {}, and with no content type', async () => {
    const admin = await t.admin();
    const bodiless = t.app.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.openapi?.body && !r.openapi?.bodyContentType);
    expect(bodiless.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining([
      'POST /api/notifications/:id/read', 'POST /api/notifications/read-all', 'DELETE /api/notifications/:id', 'POST /api/admin/jobs/:queueName/:jobId/retry',
    ]));
    const variants: Array<[string, Record<string, string>, string | undefined]> = [
      ['json, empty', { 'content-type': 'application/json' }, undefined],
      ['json with charset, empty', { 'content-type': 'application/json; charset=utf-8' }, ''],
      ['json, {}', { 'content-type': 'application/json' }, '{}'],
    ];
    const wrong: string[] = [];
    for (const route of bodiless) {
      const path = route.url.replace(/:[A-Za-z]+/g, NIL);
      // Signing out would end the session the next variant uses, and read-all is limited to 3 a
      // minute here: each variant of those gets a session of its own.
      const own = route.url === '/api/auth/logout' || route.url === '/api/notifications/read-all';
      const as = own ? async () => (await t.user('VIEWER')).token : async () => admin.token;
      const plain = await fetch(t.url + path, { method: route.method, headers: { authorization: `Bearer ${await as()}` } });
      const expected = { status: plain.status, error: ((await plain.json()) as { error?: string }).error };
      expect(expected.status, `${route.method} ${route.url} without a body`).toBeLessThan(500);
      for (const [name, headers, body] of variants) {
        const res = await fetch(t.url + path, { method: route.method, headers: { ...headers, authorization: `Bearer ${await as()}` }, body });
        const got = { status: res.status, error: ((await res.json()) as { error?: string }).error };
        if (got.status !== expected.status || got.error !== expected.error) wrong.push(`${route.method} ${route.url} (${name}): ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets the guide client mark read, mark all read and delete, and shows the real 404s', async () => {
    const user = await t.user('VIEWER');
    const auth = { authorization: `Bearer ${user.token}` };
    const id = await notify(user);
    const read = await guideFetch(`/api/notifications/${id}/read`, { method: 'POST', headers: auth });
    expect(read).toMatchObject({ status: 200, body: { success: true, data: { id, read: true } } });
    expect(await guideFetch(`/api/notifications/${randomUUID()}/read`, { method: 'POST', headers: auth })).toMatchObject({ status: 404, body: { success: false, error: 'Notification not found' } });
    expect(await guideFetch('/api/notifications/read-all', { method: 'POST', headers: auth })).toMatchObject({ status: 200, body: { success: true } });
    expect(await guideFetch(`/api/notifications/${id}`, { method: 'DELETE', headers: auth })).toMatchObject({ status: 200, body: { success: true } });
    expect(await guideFetch(`/api/notifications/${id}`, { method: 'DELETE', headers: auth })).toMatchObject({ status: 404, body: { error: 'Notification not found' } });
    const admin = await t.admin();
    expect(await guideFetch(`/api/admin/jobs/notification-delivery/${randomUUID()}/retry`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } }))
      .toMatchObject({ status: 404, body: { success: false, error: 'Job not found' } });
  });

  it('still answers a malformed non-empty JSON body with the contract 400', async () => {
    const user = await t.user('VIEWER');
    for (const body of ['{', 'null x', ' ', '{"__proto__": {"admin": true}}']) {
      const res = await guideFetch('/api/notifications/preferences', { method: 'PATCH', body, headers: { authorization: `Bearer ${user.token}` } });
      expect(res.status, body).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: [expect.objectContaining({ code: 'invalid_json' })] });
    }
    const empty = await guideFetch('/api/notifications/preferences', { method: 'PATCH', headers: { authorization: `Bearer ${user.token}` } });
    expect(empty.status).toBe(200); // an empty PATCH changes nothing, as {} does
  });

  it('names an unknown key in its path, one issue per key, so a form can place it', async () => {
    const user = await t.user('VIEWER');
    const res = await guideFetch('/api/notifications/preferences', { method: 'PATCH', body: JSON.stringify({ emailEnabled: true, colour: 'red', size: 2 }), headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(400);
    expect(res.body!.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'unrecognized_keys', path: ['colour'], message: expect.stringContaining('colour') }),
      expect.objectContaining({ code: 'unrecognized_keys', path: ['size'] }),
    ]));
    expect(res.body!.details!.every((d) => d.path.length > 0)).toBe(true);
  });
});

describe('CORS by allow-list', () => {
  const preflight = (origin: string, method = 'POST', path = '/api/notifications/read-all') => fetch(t.url + path, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });

  it('answers a preflight from an allowed origin with 204 and the grant, for any API path', async () => {
    for (const path of ['/api/notifications/read-all', `/api/notifications/${NIL}`, '/api/auth/login']) {
      const res = await preflight(APP_ORIGIN, 'DELETE', path);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-allow-methods')!.split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
      expect(res.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['content-type', 'authorization', 'last-event-id']));
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(res.headers.get('vary')).toMatch(/origin/i);
    }
  });

  it('grants no other origin: a foreign preflight gets 403 and no Access-Control headers, never *', async () => {
    for (const origin of [FOREIGN, 'null', `${APP_ORIGIN}.evil.example`, 'http://app.example.com']) {
      const res = await preflight(origin);
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toEqual({ success: false, error: 'Forbidden: cross-origin request' });
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
      const get = await fetch(`${t.url}/api/health`, { headers: { origin } });
      expect(get.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('lets an allowed origin read responses, errors and rate-limit headers (exposed), and refuses the same cookie from elsewhere', async () => {
    const { session, cookie } = await cookieSession('VIEWER');
    const cross = (origin: string, method: string, path: string, body?: string) => fetch(t.url + path, {
      method, headers: { origin, cookie, 'content-type': 'application/json' }, body,
    });
    const list = await cross(APP_ORIGIN, 'GET', '/api/notifications');
    expect(list.status).toBe(200);
    expect(list.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(list.headers.get('access-control-allow-credentials')).toBe('true');
    const exposed = list.headers.get('access-control-expose-headers')!.toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(EXPOSED));
    expect(list.headers.get('x-ratelimit-remaining')).not.toBeNull();

    const id = await notify(session);
    expect((await cross(APP_ORIGIN, 'POST', `/api/notifications/${id}/read`)).status).toBe(200);
    const missing = await cross(APP_ORIGIN, 'POST', `/api/notifications/${NIL}/read`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN); // errors are readable too

    // read-all is limited to 3 a minute here: the 429 must be readable, Retry-After included. Eight
    // at once, 1.5 s into a minute of the test's clock (no window ends under the burst): exactly
    // three pass, five are refused, each told to wait the minute's last 58.5 s (59).
    clock.nextWindow(MINUTE);
    clock.advance(1_500);
    const reset = String(clock.now() / 1000 - 1.5 + 60);
    const answers = await Promise.all(Array.from({ length: 8 }, () => cross(APP_ORIGIN, 'POST', '/api/notifications/read-all')));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(answers.filter((r) => r.status === 200).map((r) => r.headers.get('x-ratelimit-remaining')).sort()).toEqual(['0', '1', '2']);
    for (const res of answers) {
      expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(res.headers.get('x-ratelimit-reset')).toBe(reset);
    }
    for (const res of answers.filter((r) => r.status === 429)) {
      expect([res.headers.get('retry-after'), res.headers.get('x-ratelimit-remaining')]).toEqual(['59', '0']);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    }

    const refused = await cross(FOREIGN, 'POST', `/api/notifications/${id}/read`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ success: false, error: 'Forbidden: cross-origin request' });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const foreignDelete = await cross(FOREIGN, 'DELETE', `/api/notifications/${id}`);
    expect(foreignDelete.status).toBe(403);
    expect((await cross(APP_ORIGIN, 'GET', `/api/notifications?read=true`)).status).toBe(200);
    expect((await t.call('GET', '/api/notifications', { as: session })).body.data.map((n: { id: string }) => n.id)).toContain(id); // not deleted
  });

  it('keeps the second allowed origin and the API\'s own origin working, and signs in cross-origin with a cookie', async () => {
    const user = await t.user('CREATOR');
    const login = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST', headers: { origin: 'https://admin.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.user.email, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = /herald_session=[^;]+/.exec(setCookie)![0];
    const own = await fetch(`${t.url}/api/notifications/read-all`, { method: 'POST', headers: { origin: t.url, cookie, 'content-type': 'application/json' } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull(); // same-origin needs no grant
  });
});

/**
 * A cookie session acts only for the allowed origins, reads included. A page on another origin
 * cannot read a cookie-signed GET (no CORS grant), but the server still served it: an EventSource
 * with credentials from that page (same site, or any site with COOKIE_SAMESITE=none) opened streams
 * that evicted the user's own (SSE_MAX_PER_USER, "wait 60 s"), and foreign GETs spent the user's
 * rate limits. Found by the attacker's read of issues 15/16; failed before (200s, evicted stream).
 */
describe('cookie-signed reads from a foreign origin', () => {
  const openWithCookie = (cookie: string, origin: string) => {
    const abort = new AbortController();
    return { abort, res: fetch(`${t.url}/api/notifications/stream`, { headers: { accept: 'text/event-stream', cookie, origin }, signal: abort.signal }) };
  };

  it('open no event stream and evict none of the user\'s own', async () => {
    const { session, cookie } = await cookieSession();
    const own = await SseClient.open(t.url, session);
    await own.next('unread-count');
    const foreign = Array.from({ length: 5 }, () => openWithCookie(cookie, FOREIGN));
    try {
      expect(await Promise.all(foreign.map(async (f) => (await f.res).status))).toEqual(Array(5).fill(403));
      // Evidence, not a pause: a change published on the user's channel now reaches the user's own
      // stream after any eviction those attempts caused (a 'closed' event would come first).
      await t.app.services.stream.publishUnreadChanged(session.user.id);
      expect((await own.next()).event).toBe('unread-count');
      expect(own.ended).toBe(false);
      const allowed = openWithCookie(cookie, APP_ORIGIN); // the allowed origin's stream still opens
      expect((await allowed.res).status).toBe(200);
      allowed.abort.abort();
    } finally {
      for (const f of foreign) f.abort.abort();
      own.close();
    }
  });

  it('are refused (403) before they count; the allowed origin, the API\'s own and no Origin still read', async () => {
    const { cookie } = await cookieSession();
    const get = (origin?: string) => fetch(`${t.url}/api/notifications`, { headers: { cookie, ...(origin ? { origin } : {}) } });
    const foreign = await get(FOREIGN);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ success: false, error: 'Forbidden: cross-origin request' });
    expect(foreign.headers.get('x-ratelimit-remaining')).toBeNull();
    expect((await get('null')).status).toBe(403);
    const allowed = await get(APP_ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect((await get()).status).toBe(200); // same-origin GETs carry no Origin
    expect((await get(t.url)).status).toBe(200);
  });
});

describe('same-origin only when CORS_ORIGINS is unset', () => {
  it('grants nobody but keeps PUBLIC_URL as an allowed origin', async () => {
    const plain = await createTestApp({ PUBLIC_URL: 'https://herald.example.com/' });
    try {
      const user = await plain.user('VIEWER');
      const res = await fetch(`${plain.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: APP_ORIGIN }, body: JSON.stringify({ email: user.user.email, password: PASSWORD }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const cookie = /herald_session=[^;]+/.exec(res.headers.get('set-cookie')!)![0];
      const write = (origin: string) => fetch(`${plain.url}/api/notifications/read-all`, { method: 'POST', headers: { origin, cookie, 'content-type': 'application/json' } });
      expect((await write(APP_ORIGIN)).status).toBe(403);
      const fromPublic = await write('https://herald.example.com');
      expect(fromPublic.status).toBe(200);
      expect(fromPublic.headers.get('access-control-allow-origin')).toBe('https://herald.example.com');
      const pre = await fetch(`${plain.url}/api/notifications/read-all`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(403);
    } finally {
      await plain.close();
    }
  });
});

describe('the session cookie for a frontend on another site', () => {
  it('is SameSite=None; Secure (and scoped to COOKIE_DOMAIN) when configured so', async () => {
    const other = await createTestApp({ COOKIE_SAMESITE: 'none', COOKIE_DOMAIN: 'example.com', CORS_ORIGINS: APP_ORIGIN });
    try {
      const user = await other.user('VIEWER');
      const res = await fetch(`${other.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: APP_ORIGIN }, body: JSON.stringify({ email: user.user.email, password: PASSWORD }) });
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/SameSite=None/i);
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/Domain=example\.com/i);
    } finally {
      await other.close();
    }
  });

  it('refuses settings a browser would silently drop, and bad origins, naming the variable', () => {
    expect(() => loadConfig({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'false' })).toThrow(/COOKIE_SECURE/);
    for (const value of ['app.example.com', 'https://app.example.com/path', 'ftp://x.example', '*']) {
      let error: unknown;
      try {
        loadConfig({ CORS_ORIGINS: value });
      } catch (e) {
        error = e;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as Error).message, value).toMatch(/^Invalid configuration: CORS_ORIGINS /);
    }
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173/' }).http.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });
});
