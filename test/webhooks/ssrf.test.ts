import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { systemResolver } from '../../src/webhooks/webhooks.http.js';
import type { Resolver } from '../../src/webhooks/index.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { Receiver } from './receiver.js';

// The SSRF guard with private targets refused (WEBHOOK_ALLOW_PRIVATE unset): at registration, and
// again at delivery time, when a name that resolved to a public address now points inside. DNS is
// injected (names are not resolvable offline): `names` is what this test's DNS answers.

const names = new Map<string, string>();
const resolver: Resolver = async (host) => {
  const address = names.get(host);
  return address ? [{ address, family: address.includes(':') ? 6 : 4 }] : systemResolver(host);
};

let strict: TestApp;
let lax: TestApp;
let admin: Session;
let laxAdmin: Session;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver().start();
  strict = await createTestApp({ JOB_BACKOFF_MS: '50', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { webhookResolver: resolver });
  lax = await createTestApp({ JOB_BACKOFF_MS: '50', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0' }, { webhookResolver: resolver });
  admin = await strict.admin();
  laxAdmin = await lax.admin();
});
afterAll(async () => {
  await strict?.close();
  await lax?.close();
  await receiver?.stop();
});

const register = (t: TestApp, as: Session, url: string) => t.call('POST', '/api/admin/webhooks', { as, body: { url, events: ['email.sent'] } });

describe('SSRF guard', () => {
  it.each([
    'http://127.0.0.1/hook', 'http://127.0.0.1:6379/', 'http://[::1]/hook', 'http://169.254.169.254/latest/meta-data/', 'http://localhost/hook',
    'http://0.0.0.0/', 'http://10.0.0.5/', 'http://[::ffff:127.0.0.1]/', 'http://[fd00::1]/', 'http://100.64.1.1/', 'http://2130706433/',
  ])('refuses to register %s with 400', async (url) => {
    const res = await register(strict, admin, url);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid webhook URL: .*WEBHOOK_ALLOW_PRIVATE/) });
  });

  it('refuses a host name that resolves to a private address', async () => {
    names.set('intranet.example', '10.1.2.3');
    const res = await register(strict, admin, 'https://intranet.example/hook');
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('intranet.example resolves to 10.1.2.3 (private)');
    names.set('v6.example', 'fe80::1');
    expect((await register(strict, admin, 'https://v6.example/hook')).status).toBe(400);
  });

  it('refuses a name that does not resolve, and other schemes', async () => {
    expect((await register(strict, admin, 'https://nowhere.invalid/hook')).body.error).toMatch(/cannot resolve nowhere\.invalid/);
    expect((await register(strict, admin, 'ftp://203.0.113.9/')).status).toBe(400);
  });

  it('accepts a public address, then refuses to deliver once its name points inside (checked at every attempt)', async () => {
    names.set('flip.example', '203.0.113.10');
    const created = await register(strict, admin, `http://flip.example:${receiver.port}/hook`);
    expect(created.status).toBe(201);
    // DNS now answers loopback, where a receiver listens: the attempt must not reach it.
    names.set('flip.example', '127.0.0.1');
    const ping = await strict.call('POST', `/api/admin/webhooks/${created.body.data.id}/test`, { as: admin });
    expect(ping.status).toBe(202);
    let attempt: { error: string | null } | undefined;
    await waitFor(async () => {
      const list = await strict.call('GET', `/api/admin/webhooks/${created.body.data.id}/deliveries`, { as: admin });
      attempt = list.body.data[0]?.attemptLog[0];
      return attempt !== undefined;
    }, 10_000, 20);
    expect(attempt?.error).toBe('flip.example resolves to 127.0.0.1 (loopback); private targets need WEBHOOK_ALLOW_PRIVATE=true');
    expect(receiver.received).toHaveLength(0);
    await strict.call('DELETE', `/api/admin/webhooks/${created.body.data.id}`, { as: admin });
  });

  it('connects to the address it checked: a name only the injected DNS knows is delivered to', async () => {
    // The system resolver cannot resolve this name: a request that resolved again on connect
    // (no pinned lookup) would fail with ENOTFOUND instead of reaching the receiver.
    names.set('pinned.internal', '127.0.0.1');
    const created = await register(lax, laxAdmin, `http://pinned.internal:${receiver.port}/hook`);
    expect(created.status).toBe(201);
    const ping = await lax.call('POST', `/api/admin/webhooks/${created.body.data.id}/test`, { as: laxAdmin });
    await waitFor(async () => receiver.accepted.length === 1, 10_000, 20);
    expect(receiver.accepted[0]!.headers['x-herald-delivery']).toBe(ping.body.data.deliveryId);
    expect(receiver.accepted[0]!.headers.host).toBe(`pinned.internal:${receiver.port}`);
  });
});
