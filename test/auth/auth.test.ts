import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../helpers/clock.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/context.js';

let t: TestApp;
/** The login limits' 15-minute windows follow it. */
const clock = createClock();

beforeAll(async () => {
  t = await createTestApp({ LOGIN_FAILED_PER_EMAIL: '3', LOGIN_RATE_LIMIT: '30' }, { now: clock.now });
});
afterAll(() => t.close());

async function rawLogin(email: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });
}
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

describe('sessions', () => {
  it('logs in with a session cookie and a bearer token for the same session', async () => {
    const res = await rawLogin(ADMIN.email.toUpperCase(), ADMIN.password);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { user: unknown; token: string } };
    expect(body).toEqual({ success: true, data: { user: { id: expect.any(String), email: ADMIN.email, name: 'Administrator', role: 'ADMIN' }, token: expect.any(String) } });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^herald_session=[\w-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain HTTP here; Secure is set behind TLS
    const viaCookie = await fetch(`${t.url}/api/auth/me`, { headers: { cookie: cookieOf(res) } });
    expect(await viaCookie.json()).toEqual({ success: true, user: body.data.user });
    const viaBearer = await t.call('GET', '/api/auth/me', { as: body.data.token });
    expect(viaBearer.body.user).toEqual(body.data.user);
  });

  it('answers wrong password and unknown email the same way', async () => {
    const wrong = await rawLogin(ADMIN.email, 'wrong-password');
    const unknown = await rawLogin('nobody@test.local', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('rejects malformed login bodies with 400', async () => {
    for (const body of [{}, { email: 'a@b.c' }, { email: 1, password: 'x' }, { email: 'a@b.c', password: '' }]) {
      const res = await t.call('POST', '/api/auth/login', { body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('Invalid request body');
    }
  });

  it('revokes the session on logout, for cookie and bearer alike', async () => {
    const session = await t.user('VIEWER');
    expect((await t.call('GET', '/api/auth/me', { as: session })).status).toBe(200);
    const out = await t.call('POST', '/api/auth/logout', { as: session });
    expect(out.body).toEqual({ success: true });
    const after = await t.call('GET', '/api/auth/me', { as: session });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ success: false, error: 'Unauthorized' });
  });

  it('revokes the session in every API process at once, despite their session caches', async () => {
    const other = await t.sibling({ roles: ['api'] });
    try {
      const session = await t.user('VIEWER');
      const onOther = () => fetch(`${other.url}/api/auth/me`, { headers: { authorization: `Bearer ${session.token}` } });
      expect((await onOther()).status).toBe(200); // now cached over there
      expect((await t.call('POST', '/api/auth/logout', { as: session })).status).toBe(200);
      const { waitFor } = await import('../../src/platform/net.js');
      expect(await waitFor(async () => (await onOther()).status === 401, 1_000, 20)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('clears the cookie on logout', async () => {
    const login = await rawLogin(ADMIN.email, ADMIN.password);
    const out = await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookieOf(login) } });
    expect(out.headers.get('set-cookie')).toMatch(/herald_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: cookieOf(login) } })).status).toBe(401);
  });

  it('refuses an expired session and sessions issued before a password change', async () => {
    const a = await t.user('CREATOR');
    await t.app.database.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', a.user.id).execute();
    expect((await t.call('GET', '/api/auth/me', { as: a })).status).toBe(401);
    const b = await t.user('CREATOR');
    await t.app.database.db.updateTable('users').set({ password_changed_at: new Date(Date.now() + 1000) }).where('id', '=', b.user.id).execute();
    expect((await t.call('GET', '/api/auth/me', { as: b })).status).toBe(401);
  });

  it('refuses garbage credentials with 401', async () => {
    for (const token of ['', 'abc', 'x'.repeat(43), 'x'.repeat(5000), '../../etc/passwd']) {
      const res = await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: 'herald_session=nope' } })).status).toBe(401);
  });

  it('refuses cookie-authenticated state changes from another origin, but not bearer ones', async () => {
    const login = await rawLogin(ADMIN.email, ADMIN.password);
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const cross = await fetch(`${t.url}/api/notifications/read-all`, { method: 'POST', headers: { cookie: cookieOf(login), origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const same = await fetch(`${t.url}/api/notifications/read-all`, { method: 'POST', headers: { cookie: cookieOf(login), origin: t.url } });
    expect(same.status).toBe(200);
    const none = await fetch(`${t.url}/api/notifications/read-all`, { method: 'POST', headers: { cookie: cookieOf(login) } });
    expect(none.status).toBe(200);
    const bearer = await fetch(`${t.url}/api/notifications/read-all`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(bearer.status).toBe(200);
    // Reads naming a foreign Origin are refused too (their side effects: streams, rate limits;
    // test/platform/real-clients.test.ts); same-origin reads send no Origin.
    expect((await fetch(`${t.url}/api/notifications`, { headers: { cookie: cookieOf(login), origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${t.url}/api/notifications`, { headers: { cookie: cookieOf(login) } })).status).toBe(200);
  });
});

describe('login rate limits', () => {
  it('limits failed attempts per email from one IP, and then refuses even the right password from it', async () => {
    const victim = await t.user('BRAND');
    for (let i = 0; i < 3; i++) expect((await rawLogin(victim.user.email, 'wrong')).status).toBe(401);
    const blocked = await rawLogin(victim.user.email, 'password-123');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({ success: false, error: 'Too many requests. Please try again later.' });
    // Another account is unaffected.
    expect((await rawLogin(ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('limits all attempts per IP (LOGIN_RATE_LIMIT per 15 minutes)', async () => {
    // A fresh 15-minute window: the sign-ins of the tests above do not count in it.
    clock.nextWindow(15 * 60_000);
    const limit = t.app.config.login.perIpPer15Min;
    expect(limit).toBe(30);
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await rawLogin(`x${i}@test.local`, 'whatever')).status);
    // Exactly LOGIN_RATE_LIMIT attempts are answered; the next one is the first 429.
    expect(statuses).toEqual([...Array<number>(limit).fill(401), 429]);
    const blocked = await rawLogin(ADMIN.email, ADMIN.password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe(String(15 * 60));
    // Until the window ends: its last millisecond still refuses, the next window signs in.
    clock.advance(15 * 60_000 - 1);
    expect((await rawLogin(ADMIN.email, ADMIN.password)).status).toBe(429);
    clock.advance(1);
    expect((await rawLogin(ADMIN.email, ADMIN.password)).status).toBe(200);
  });
});

describe('POST /api/admin/users', () => {
  let admin: Awaited<ReturnType<TestApp['admin']>>;
  beforeAll(async () => {
    // The IP limit above is exhausted; sessions are made through the service, not the login route.
    const result = await t.app.services.auth.login(ADMIN.email, ADMIN.password, { ip: '10.9.9.9', userAgent: null });
    admin = { token: result.token, user: result.user };
  });

  it('creates a user who can then sign in, and answers 409 for a taken email', async () => {
    const res = await t.call('POST', '/api/admin/users', { as: admin, body: { email: 'New@Test.local', password: 'long-enough', name: 'New', role: 'CREATOR' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: { id: expect.any(String), email: 'new@test.local', name: 'New', role: 'CREATOR' } });
    const session = await t.app.services.auth.login('new@test.local', 'long-enough', { ip: '10.9.9.10', userAgent: null });
    expect(session.user.role).toBe('CREATOR');
    const again = await t.call('POST', '/api/admin/users', { as: admin, body: { email: 'new@test.local', password: 'long-enough', role: 'VIEWER' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ success: false, error: 'Email already in use' });
  });

  it.each([
    { email: 'not-an-email', password: 'long-enough', role: 'VIEWER' },
    { email: 'a@test.local', password: 'short', role: 'VIEWER' },
    { email: 'a@test.local', password: 'long-enough', role: 'OWNER' },
    { email: 'a@test.local', password: 'long-enough', role: 'VIEWER', isAdmin: true },
  ])('rejects %j with 400', async (body) => {
    const res = await t.call('POST', '/api/admin/users', { as: admin, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid request body');
  });

  it('is for admins only', async () => {
    const creator = await t.app.services.users.createUser({ email: 'c@test.local', password: 'long-enough', role: 'CREATOR' });
    const session = await t.app.services.auth.login(creator.email, 'long-enough', { ip: '10.9.9.11', userAgent: null });
    const res = await t.call('POST', '/api/admin/users', { as: session.token, body: { email: 'z@test.local', password: 'long-enough', role: 'ADMIN' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, error: 'Forbidden: Admin access required' });
    expect((await t.call('POST', '/api/admin/users', { body: {} })).status).toBe(401);
  });
});
