import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * The session cookie's Secure attribute behind a TLS-terminating proxy (COOKIE_SECURE=auto, the
 * default): the proxy's X-Forwarded-Proto counts only from a TRUST_PROXY address, and PUBLIC_URL
 * https makes it Secure whatever the hop. The test client connects from 127.0.0.1.
 */
async function sessionCookie(env: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const t: TestApp = await createTestApp(env);
  try {
    const user = await t.user('VIEWER');
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email: user.user.email, password: 'password-123' }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!;
  } finally {
    await t.close();
  }
}

const SECURE = /;\s*Secure(;|$)/i;

describe('the session cookie behind a TLS-terminating proxy', () => {
  it('is Secure when the browser reaches the service over TLS: a trusted proxy\'s X-Forwarded-Proto, or an https PUBLIC_URL; never on an untrusted client\'s word', async () => {
    expect(await sessionCookie({ TRUST_PROXY: 'loopback' }, { 'x-forwarded-proto': 'https' })).toMatch(SECURE);
    expect(await sessionCookie({ TRUST_PROXY: 'loopback' }, { 'x-forwarded-proto': 'http' })).not.toMatch(SECURE);
    // The same header from a client that is not a trusted proxy changes nothing.
    expect(await sessionCookie({ TRUST_PROXY: '10.0.0.0/8' }, { 'x-forwarded-proto': 'https' })).not.toMatch(SECURE);
    expect(await sessionCookie({}, { 'x-forwarded-proto': 'https' })).not.toMatch(SECURE);
    // PUBLIC_URL https: Secure even when TRUST_PROXY was forgotten; COOKIE_SECURE=false still wins.
    expect(await sessionCookie({ PUBLIC_URL: 'https://herald.example.com' })).toMatch(SECURE);
    // A scheme is case-insensitive (config accepts HTTPS://): it was compared as written, no Secure.
    expect(await sessionCookie({ PUBLIC_URL: 'HTTPS://herald.example.com' })).toMatch(SECURE);
    expect(await sessionCookie({ PUBLIC_URL: 'https://herald.example.com', COOKIE_SECURE: 'false' })).not.toMatch(SECURE);
    expect(await sessionCookie({ PUBLIC_URL: 'http://herald.internal' })).not.toMatch(SECURE);
  }, 60_000);
});
