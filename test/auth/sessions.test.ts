import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { SessionsRepository } from '../../src/auth/auth.repository.js';
import { SessionCache } from '../../src/auth/session-cache.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_TARGET } from '../helpers/env.js';

/**
 * Session security: fixation, password changes that sign out everywhere (every API process,
 * despite their session caches), expiry, CSRF on every state-changing route. The session cache
 * is a minute long here, so only an explicit revocation can end a cached session in time.
 */
let t: TestApp;
let other: App;
const PASSWORD = 'password-123';
const UNAUTHORIZED = { success: false, error: 'Unauthorized' };

beforeAll(async () => {
  t = await createTestApp({ SESSION_CACHE_MS: '60000', LOGIN_FAILED_PER_EMAIL: '4' });
  other = await t.sibling({ roles: ['api'] });
});
afterAll(async () => {
  await other.stop();
  await t.close();
});

const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const tokenOfCookie = (cookie: string) => cookie.split('=')[1]!;

async function login(email: string, password: string, headers: Record<string, string> = {}, base = t.url) {
  return fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });
}

/** GET /api/auth/me on an API process with a bearer token or a cookie. */
async function me(credential: { token: string } | { cookie: string }, base = t.url) {
  const headers: Record<string, string> = 'token' in credential ? { authorization: `Bearer ${credential.token}` } : { cookie: credential.cookie };
  const res = await fetch(`${base}/api/auth/me`, { headers });
  return { status: res.status, body: (await res.json()) as unknown };
}

const goneWithin = async (credential: { token: string } | { cookie: string }, base: string, ms = 2_000) =>
  waitFor(async () => (await me(credential, base)).status === 401, ms, 20);

async function changePassword(as: { token: string } | { cookie: string }, body: unknown, headers: Record<string, string> = {}) {
  const auth: Record<string, string> = 'token' in as ? { authorization: `Bearer ${as.token}` } : { cookie: as.cookie };
  const res = await fetch(`${t.url}/api/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...headers }, body: JSON.stringify(body) });
  return { res, status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads JSON
}

describe('session fixation', () => {
  it('never adopts a session id the client brings: login issues a fresh one and the planted one stays invalid', async () => {
    const victim = await t.user('VIEWER');
    const planted = randomBytes(32).toString('base64url'); // well-formed, chosen by an attacker
    const res = await login(victim.user.email, PASSWORD, { cookie: `herald_session=${planted}` });
    expect(res.status).toBe(200);
    const issued = cookieOf(res);
    const body = (await res.json()) as { data: { token: string } };
    expect(tokenOfCookie(issued)).not.toBe(planted);
    expect(body.data.token).toBe(tokenOfCookie(issued));
    for (const credential of [{ cookie: `herald_session=${planted}` }, { token: planted }]) {
      expect(await me(credential)).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    expect((await me({ cookie: issued })).status).toBe(200);
    // Host-only (no Domain a sibling subdomain could share), for the whole site.
    expect(res.headers.get('set-cookie')).not.toMatch(/Domain=/i);
    expect(res.headers.get('set-cookie')).toMatch(/Path=\//);
  });

  it('ends the session a browser already had when someone signs in over it (a planted valid session included)', async () => {
    const attacker = await t.user('VIEWER');
    const victim = await t.user('VIEWER');
    const planted = `herald_session=${attacker.token}`;
    expect((await me({ cookie: planted })).status).toBe(200); // valid and cached
    const res = await login(victim.user.email, PASSWORD, { cookie: planted });
    expect(res.status).toBe(200);
    const issued = cookieOf(res);
    expect(issued).not.toBe(planted);
    expect(((await me({ cookie: issued })).body as { user: { id: string } }).user.id).toBe(victim.user.id);
    expect(await me({ cookie: planted })).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await goneWithin({ token: attacker.token }, other.url!)).toBe(true);
  });

  it('gives every login its own session', async () => {
    const user = await t.user('CREATOR');
    const a = await login(user.user.email, PASSWORD);
    const b = await login(user.user.email, PASSWORD);
    expect(cookieOf(a)).not.toBe(cookieOf(b));
    expect((await me({ cookie: cookieOf(a) })).status).toBe(200);
    expect((await me({ cookie: cookieOf(b) })).status).toBe(200);
  });
});

describe('POST /api/auth/password', () => {
  it('signs out every session of the user on every API process and answers with a fresh one', async () => {
    const user = await t.user('CREATOR');
    const cookieLogin = await login(user.user.email, PASSWORD);
    const cookie = cookieOf(cookieLogin);
    const elsewhere = await t.login(user.user.email, PASSWORD);
    const bystander = await t.user('CREATOR');
    // Cached on both processes.
    for (const base of [t.url, other.url!]) {
      for (const credential of [{ cookie }, { token: elsewhere.token }, { token: user.token }, { token: bystander.token }]) expect((await me(credential, base)).status).toBe(200);
    }
    // An event stream of a session that is about to end, on the other process.
    const controller = new AbortController();
    const stream = await fetch(`${other.url}/api/notifications/stream`, { headers: { authorization: `Bearer ${elsewhere.token}` }, signal: controller.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read();

    const changed = await changePassword({ token: user.token }, { currentPassword: PASSWORD, newPassword: 'a-new-password-456' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ success: true, data: { user: user.user, token: expect.stringMatching(/^[\w-]{43}$/) } });
    const fresh = changed.body.data.token as string;
    expect(cookieOf(changed.res)).toBe(`herald_session=${fresh}`);

    for (const base of [t.url, other.url!]) {
      for (const credential of [{ cookie }, { token: elsewhere.token }, { token: user.token }]) {
        expect(await goneWithin(credential, base), `${base} ${JSON.stringify(credential)}`).toBe(true);
        expect((await me(credential, base)).body).toEqual(UNAUTHORIZED);
      }
      expect((await me({ token: fresh }, base)).status).toBe(200);
      expect((await me({ token: bystander.token }, base)).status).toBe(200);
    }
    // The revoked session's stream ends (its reconnect then gets 401).
    const ended = await Promise.race([(async () => { while (!(await reader.read()).done); return true; })(), new Promise((r) => setTimeout(() => r(false), 3_000))]);
    controller.abort();
    expect(ended).toBe(true);

    expect((await login(user.user.email, PASSWORD)).status).toBe(401);
    expect((await login(user.user.email, 'a-new-password-456')).status).toBe(200);
    const rows = await t.app.database.db.selectFrom('sessions').select(['revoked_at']).where('user_id', '=', user.user.id).execute();
    expect(rows.filter((r) => r.revoked_at === null)).toHaveLength(2); // the fresh one and the last login
  });

  it('works with the cookie, and sets the new cookie', async () => {
    const user = await t.user('BRAND');
    const cookie = cookieOf(await login(user.user.email, PASSWORD));
    const changed = await changePassword({ cookie }, { currentPassword: PASSWORD, newPassword: 'brand-new-password' }, { origin: t.url });
    expect(changed.status).toBe(200);
    const fresh = cookieOf(changed.res);
    expect(fresh).not.toBe(cookie);
    expect(changed.res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await me({ cookie })).status).toBe(401);
    expect((await me({ cookie: fresh })).status).toBe(200);
  });

  it('refuses a wrong current password and weak new ones with 400 and the contract body, changing nothing', async () => {
    const user = await t.user('VIEWER');
    const wrong = await changePassword(user, { currentPassword: 'not-my-password', newPassword: 'a-new-password-456' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ success: false, error: 'Invalid request body', details: [{ code: 'custom', path: ['currentPassword'], message: 'is incorrect' }] });
    const weak: Array<[unknown, string]> = [
      [{ currentPassword: PASSWORD, newPassword: 'short' }, 'newPassword'],
      [{ currentPassword: PASSWORD, newPassword: PASSWORD }, 'newPassword'],
      [{ currentPassword: PASSWORD, newPassword: user.user.email.toUpperCase() }, 'newPassword'],
      [{ currentPassword: PASSWORD, newPassword: 'aaaaaaaaaaaa' }, 'newPassword'],
      [{ currentPassword: PASSWORD, newPassword: 'x'.repeat(257) }, 'newPassword'],
      [{ currentPassword: PASSWORD }, 'newPassword'],
      [{ newPassword: 'a-new-password-456' }, 'currentPassword'],
      [{ currentPassword: PASSWORD, newPassword: 'a-new-password-456', userId: 'x' }, ''],
    ];
    for (const [body, field] of weak) {
      const res = await changePassword(user, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body' });
      if (field) expect(res.body.details.map((d: { path: string[] }) => d.path[0]), JSON.stringify(body)).toContain(field);
    }
    expect((await t.call('GET', '/api/auth/me', { as: user })).status).toBe(200);
    expect((await login(user.user.email, PASSWORD)).status).toBe(200);
  });

  it('counts wrong current passwords with failed sign-ins of the account (429 once over the limit)', async () => {
    const user = await t.user('VIEWER');
    for (let i = 0; i < 4; i++) expect((await changePassword(user, { currentPassword: `wrong-${i}`, newPassword: 'a-new-password-456' })).status).toBe(400);
    const blocked = await changePassword(user, { currentPassword: PASSWORD, newPassword: 'a-new-password-456' });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
    expect((await login(user.user.email, PASSWORD)).status).toBe(429);
  });

  it('makes no session for a sign-in whose password changed after it was checked (login racing a change)', async () => {
    const user = await t.user('VIEWER');
    const checked = (await t.app.services.users.credentials(user.user.email, PASSWORD))!;
    expect((await changePassword(user, { currentPassword: PASSWORD, newPassword: 'changed-meanwhile' })).status).toBe(200);
    const session = { userId: user.user.id, tokenHash: randomBytes(32), expiresAt: new Date(Date.now() + 60_000), ip: null, userAgent: null };
    const repository = new SessionsRepository(t.app.database.db);
    expect(await repository.create({ ...session, passwordHash: checked.passwordHash })).toBeUndefined();
    const current = (await t.app.services.users.credentials(user.user.email, 'changed-meanwhile'))!;
    expect(await repository.create({ ...session, passwordHash: current.passwordHash })).toEqual({ id: expect.any(String) });
  });

  it('is for signed-in users, and refuses cross-origin cookie requests', async () => {
    const res = await t.call('POST', '/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'a-new-password-456' } });
    expect(res).toMatchObject({ status: 401, body: UNAUTHORIZED });
    const user = await t.user('VIEWER');
    const cookie = cookieOf(await login(user.user.email, PASSWORD));
    const cross = await changePassword({ cookie }, { currentPassword: PASSWORD, newPassword: 'a-new-password-456' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect((await login(user.user.email, PASSWORD)).status).toBe(200);
  });
});

describe('logout everywhere', () => {
  it('ends a cookie session on every API process, and only that session', async () => {
    const user = await t.user('VIEWER');
    const cookie = cookieOf(await login(user.user.email, PASSWORD));
    for (const base of [t.url, other.url!]) expect((await me({ cookie }, base)).status).toBe(200);
    const out = await fetch(`${other.url}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: other.url! } });
    expect(out.status).toBe(200);
    for (const base of [t.url, other.url!]) expect(await goneWithin({ cookie }, base)).toBe(true);
    expect((await me({ token: user.token })).status).toBe(200);
  });

  it('does not cache a session looked up while it was being revoked', async () => {
    const cache = new SessionCache({ redis: t.app.redis, redisTarget: REDIS_TARGET, prefix: `${t.prefix}-unit`, ttlMs: 60_000, maxEntries: 10, log: t.app.log });
    const user = { id: 'u', email: 'u@test.local', name: null, role: 'VIEWER' as const, sessionId: 's' };
    const stamp = cache.stamp(); // a lookup starts and reads the session…
    await cache.revoke('k', 's'); // …which is revoked before the lookup caches it
    cache.set('k', user, Date.now() + 60_000, stamp);
    expect(cache.get('k')).toBeNull();
    cache.set('k', user, Date.now() + 60_000, cache.stamp());
    expect(cache.get('k')).toEqual(user);
    await cache.close();
  });
});

describe('expired sessions', () => {
  const expire = (userId: string, at: Date) => t.app.database.db.updateTable('sessions').set({ expires_at: at }).where('user_id', '=', userId).execute();

  it('answers a session past its expiry with 401 and the contract body, as cookie and as bearer', async () => {
    const user = await t.user('CREATOR');
    const cookie = cookieOf(await login(user.user.email, PASSWORD));
    await expire(user.user.id, new Date(Date.now() - 1_000));
    for (const base of [t.url, other.url!]) {
      expect(await me({ cookie }, base)).toEqual({ status: 401, body: UNAUTHORIZED });
      expect(await me({ token: user.token }, base)).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    expect((await t.call('POST', '/api/notifications/read-all', { as: user })).status).toBe(401);
  });

  it('stops a cached session at its expiry, not at the end of the cache period', async () => {
    const user = await t.user('CREATOR');
    const expiresAt = Date.now() + 2_000;
    await expire(user.user.id, new Date(expiresAt));
    expect((await me({ token: user.token })).status).toBe(200); // cached for up to a minute
    // Asked until it answers 401: that must come after the expiry, and long before the minute the
    // cache would otherwise keep it (the wait gives up at 15 s); every answer before it is a 200.
    const answers: Array<{ status: number; at: number }> = [];
    expect(await waitFor(async () => {
      const { status } = await me({ token: user.token });
      answers.push({ status, at: Date.now() });
      return status !== 200;
    }, 15_000, 50)).toBe(true);
    const last = answers.at(-1)!;
    expect(last.status).toBe(401);
    expect(last.at).toBeGreaterThanOrEqual(expiresAt);
    expect(await me({ token: user.token })).toEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('issues sessions for SESSION_TTL_HOURS', async () => {
    const res = await login((await t.user('VIEWER')).user.email, PASSWORD);
    const expires = new Date(/Expires=([^;]+)/i.exec(res.headers.get('set-cookie')!)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + t.app.config.sessionTtlMs))).toBeLessThan(60_000);
  });
});

describe('CSRF: cookie-authenticated state changes', () => {
  const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

  it('refuses every state-changing route of the route table from another origin (POST, PATCH, PUT, DELETE)', async () => {
    const admin: Session = await t.admin();
    const cookie = `herald_session=${admin.token}`;
    const changing = t.app.routes.filter((r) => !SAFE.has(r.method) && (r.access !== 'public' || r.url === '/api/analytics/events'));
    expect([...new Set(changing.map((r) => r.method))]).toEqual(expect.arrayContaining(['POST', 'PATCH', 'DELETE']));
    const wrong: string[] = [];
    for (const route of changing) {
      const path = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      for (const origin of ['https://evil.example', 'null', `${t.url}.evil.example`]) {
        const res = await fetch(t.url + path, { method: route.method, headers: { cookie, origin, 'content-type': 'application/json' }, body: '{}' });
        const body = (await res.json()) as { error?: string };
        if (res.status !== 403 || body.error !== 'Forbidden: cross-origin request') wrong.push(`${route.method} ${route.url} (${origin}) → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await me({ cookie })).status).toBe(200); // the cross-origin logout did nothing
  });

  it('lets the same requests through from the same origin, and bearer requests from anywhere', async () => {
    const admin = await t.admin();
    const cookie = `herald_session=${admin.token}`;
    for (const [method, path, body] of [['PATCH', '/api/notifications/preferences', { emailEnabled: true }], ['POST', '/api/notifications/read-all', undefined]] as const) {
      const same = await fetch(t.url + path, { method, headers: { cookie, origin: t.url, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      expect(same.status, `${method} ${path}`).toBe(200);
      const bearer = await fetch(t.url + path, { method, headers: { authorization: `Bearer ${admin.token}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      expect(bearer.status, `${method} ${path}`).toBe(200);
    }
  });
});
