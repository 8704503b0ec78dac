import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { Receiver } from './receiver.js';

// The admin webhooks API and the delivery path end to end: a real node:http receiver that fails
// on purpose, the real outbox relay and webhook-delivery worker, PostgreSQL and Redis.

type Verify = (secret: string, header: string, rawBody: string, toleranceSeconds?: number, nowMs?: number) => boolean;

/** The verification snippet exactly as docs/OPERATIONS.md documents it (its import line given as arguments). */
function documentedVerify(): Verify {
  const doc = readFileSync(new URL('../../docs/OPERATIONS.md', import.meta.url), 'utf8');
  const block = /<!-- webhook-verify:start -->\n```js\n([\s\S]*?)```\n<!-- webhook-verify:end -->/.exec(doc);
  if (!block) throw new Error('the verification snippet is missing from docs/OPERATIONS.md');
  const code = block[1]!.replace(/^import .*$/m, '');
  return new Function('createHmac', 'timingSafeEqual', 'Buffer', `${code}\nreturn verifyHeraldSignature;`)(createHmac, timingSafeEqual, Buffer) as Verify;
}

let t: TestApp;
let admin: Session;
let receiver: Receiver;
let other: Receiver;

beforeAll(async () => {
  receiver = await new Receiver().start();
  other = await new Receiver().start();
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', JOB_BACKOFF_MS: '50', WEBHOOK_TIMEOUT_MS: '400', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await receiver?.stop();
  await other?.stop();
});

async function endpoint(url: string, events: string[] = ['notification.created']) {
  const res = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url, events } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; secret: string; url: string };
}

const deliveries = async (id: string, query = '') => (await t.call('GET', `/api/admin/webhooks/${id}/deliveries${query}`, { as: admin })).body;

async function settledDelivery(id: string, deliveryId: string, status: string, timeoutMs = 20_000) {
  let found: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON
  await waitFor(async () => {
    found = (await deliveries(id, '?pageSize=100')).data.find((d: { id: string }) => d.id === deliveryId);
    return found?.status === status;
  }, timeoutMs, 50);
  expect(found?.status, JSON.stringify(found)).toBe(status);
  return found;
}

describe('admin webhooks API', () => {
  it('is for admins only: 403 for a signed-in non-admin on every route, 401 without a session', async () => {
    const viewer = await t.user('VIEWER');
    const ep = await endpoint(receiver.url);
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/admin/webhooks', { url: receiver.url, events: ['email.sent'] }], ['GET', '/api/admin/webhooks'],
      ['GET', `/api/admin/webhooks/${ep.id}`], ['PATCH', `/api/admin/webhooks/${ep.id}`, { enabled: false }], ['DELETE', `/api/admin/webhooks/${ep.id}`],
      ['POST', `/api/admin/webhooks/${ep.id}/test`], ['GET', `/api/admin/webhooks/${ep.id}/deliveries`],
      ['POST', `/api/admin/webhooks/${ep.id}/deliveries/${crypto.randomUUID()}/replay`],
    ];
    for (const [method, path, body] of routes) {
      expect((await t.call(method, path, { as: viewer, body })).status, `${method} ${path}`).toBe(403);
      expect((await t.call(method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
    expect((await t.call('GET', `/api/admin/webhooks/${ep.id}`, { as: admin })).body.data.enabled).toBe(true);
  });

  it('creates with a generated secret shown once, lists, changes, deletes; every change audited', async () => {
    const created = await endpoint(receiver.url, ['email.sent', 'email.sent', 'digest.sent']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(created).toMatchObject({ url: receiver.url });
    const one = await t.call('GET', `/api/admin/webhooks/${created.id}`, { as: admin });
    expect(one.body.data.events).toEqual(['email.sent', 'digest.sent']);
    expect(one.body.data).not.toHaveProperty('secret');
    const list = await t.call('GET', '/api/admin/webhooks', { as: admin });
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const own = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events: ['email.sent'], secret: 'my-own-secret-0123456789' } });
    expect(own.body.data.secret).toBe('my-own-secret-0123456789');

    const patched = await t.call('PATCH', `/api/admin/webhooks/${created.id}`, { as: admin, body: { enabled: false, events: ['digest.sent'], secret: 'rotated-secret-0123456789' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ enabled: false, events: ['digest.sent'] });
    expect((await t.call('DELETE', `/api/admin/webhooks/${created.id}`, { as: admin })).status).toBe(200);
    expect((await t.call('GET', `/api/admin/webhooks/${created.id}`, { as: admin })).status).toBe(404);

    const audit = await t.app.database.db.selectFrom('admin_audit').select(['action', 'details']).where('job_id', '=', created.id).orderBy('created_at').execute();
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.update', 'webhook.delete']);
    expect(JSON.stringify(audit)).not.toContain('rotated-secret');
  });

  it('answers 404 for unknown or malformed ids, 400 with the contract body for bad input', async () => {
    const ep = await endpoint(receiver.url);
    const unknown = crypto.randomUUID();
    for (const [method, path] of [
      ['GET', `/api/admin/webhooks/${unknown}`], ['GET', '/api/admin/webhooks/not-a-uuid'], ['PATCH', `/api/admin/webhooks/${unknown}`], ['DELETE', `/api/admin/webhooks/${unknown}`],
      ['POST', `/api/admin/webhooks/${unknown}/test`], ['GET', `/api/admin/webhooks/${unknown}/deliveries`],
      ['POST', `/api/admin/webhooks/${ep.id}/deliveries/${unknown}/replay`], ['POST', `/api/admin/webhooks/${ep.id}/deliveries/nope/replay`],
    ] as const) {
      const res = await t.call(method, path, { as: admin, body: method === 'PATCH' ? { enabled: true } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.success).toBe(false);
    }
    // Another endpoint's delivery is not this endpoint's: 404, not a replay.
    const second = await endpoint(other.url);
    const ping = await t.call('POST', `/api/admin/webhooks/${second.id}/test`, { as: admin });
    await settledDelivery(second.id, ping.body.data.deliveryId, 'delivered');
    expect((await t.call('POST', `/api/admin/webhooks/${ep.id}/deliveries/${ping.body.data.deliveryId}/replay`, { as: admin })).status).toBe(404);

    for (const body of [
      {}, { url: receiver.url, events: [] }, { url: receiver.url, events: ['nope'] }, { url: 'ftp://example.com/x', events: ['email.sent'] },
      { url: 'not a url', events: ['email.sent'] }, { url: 'http://user:pw@127.0.0.1/x', events: ['email.sent'] },
      { url: receiver.url, events: ['email.sent'], secret: 'short' }, { url: receiver.url, events: ['email.sent'], extra: 1 },
    ]) {
      const res = await t.call('POST', '/api/admin/webhooks', { as: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: expect.any(String) });
    }
    expect((await t.call('GET', `/api/admin/webhooks/${ep.id}/deliveries?status=bogus`, { as: admin })).status).toBe(400);
  });
});

describe('delivery', () => {
  it('signs every request so that the documented snippet verifies it, with the event, delivery id and user agent', async () => {
    const verify = documentedVerify();
    const ep = await endpoint(receiver.url);
    const res = await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin });
    expect(res.status).toBe(202);
    await settledDelivery(ep.id, res.body.data.deliveryId, 'delivered');
    const got = receiver.received.find((r) => r.headers['x-herald-delivery'] === res.body.data.deliveryId)!;
    expect(got.headers['x-herald-event']).toBe('webhook.test');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^herald-webhooks\//);
    expect(JSON.parse(got.body)).toMatchObject({ id: res.body.data.deliveryId, type: 'webhook.test', data: { message: expect.any(String) } });
    const signature = String(got.headers['x-herald-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(ep.secret, signature, got.body)).toBe(true);
    // What the snippet must refuse: another secret, a changed body, an old timestamp.
    expect(verify('whsec_wrong', signature, got.body)).toBe(false);
    expect(verify(ep.secret, signature, got.body.replace('webhook.test', 'webhook.tesT'))).toBe(false);
    expect(verify(ep.secret, signature, got.body, 300, Date.now() + 301_000)).toBe(false);
  });

  it('retries a 500 on the backoff, records every attempt, and replays a delivered one with the same id', async () => {
    const flaky = await new Receiver().start();
    try {
      let failures = 2;
      flaky.behave = () => (failures-- > 0 ? 500 : 204);
      const ep = await endpoint(flaky.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      const d = await settledDelivery(ep.id, deliveryId, 'delivered');
      expect(d.attempts).toBe(3);
      expect(d.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 204]);
      expect(d.attemptLog[0]).toMatchObject({ error: 'HTTP 500', responseSnippet: 'failing on purpose: 500', durationMs: expect.any(Number) });
      expect(flaky.received.map((r) => r.headers['x-herald-delivery'])).toEqual([deliveryId, deliveryId, deliveryId]);

      const replay = await t.call('POST', `/api/admin/webhooks/${ep.id}/deliveries/${deliveryId}/replay`, { as: admin });
      expect(replay.status).toBe(202);
      await waitFor(async () => flaky.accepted.length === 2, 20_000, 50);
      expect(flaky.accepted.map((r) => r.headers['x-herald-delivery'])).toEqual([deliveryId, deliveryId]);
      await settledDelivery(ep.id, deliveryId, 'delivered');
      const audit = await t.app.database.db.selectFrom('admin_audit').select('action').where('job_id', '=', ep.id).execute();
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['webhook.test', 'webhook.replay']));
    } finally {
      await flaky.stop();
    }
  });

  it('does not follow a redirect: a 3xx is a failed attempt and the target of Location gets nothing', async () => {
    const redirecting = await new Receiver().start();
    const target = await new Receiver().start();
    try {
      let first = true;
      redirecting.behave = () => (first ? ((first = false), { status: 302, location: target.url }) : 200);
      const ep = await endpoint(redirecting.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      const d = await settledDelivery(ep.id, deliveryId, 'delivered');
      expect(d.attemptLog[0]).toMatchObject({ statusCode: 302, error: 'HTTP 302 (redirects are not followed)' });
      expect(target.received).toHaveLength(0);
    } finally {
      await redirecting.stop();
      await target.stop();
    }
  });

  it('gives up on a receiver that does not answer within WEBHOOK_TIMEOUT_MS, and on a refused connection, then retries', async () => {
    const slow = await new Receiver().start();
    try {
      let hangs = 1;
      slow.behave = () => (hangs-- > 0 ? 'hang' : 200);
      const ep = await endpoint(slow.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      const d = await settledDelivery(ep.id, deliveryId, 'delivered');
      expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: 'timed out after 400 ms' });
      expect(d.attemptLog[0].durationMs).toBeGreaterThanOrEqual(390);
    } finally {
      await slow.stop();
    }
    // A port nobody listens on: refused, retried until it answers.
    const down = await new Receiver().start();
    const port = down.port;
    await down.stop();
    const ep = await endpoint(`http://127.0.0.1:${port}/hook`);
    const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
    await waitFor(async () => (await settledDelivery(ep.id, deliveryId, 'pending')).attempts >= 2, 10_000, 50);
    const d = (await deliveries(ep.id)).data.find((x: { id: string }) => x.id === deliveryId);
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
    const back = await new Receiver(port).start();
    try {
      await settledDelivery(ep.id, deliveryId, 'delivered', 30_000);
      expect(back.accepted.map((r) => r.headers['x-herald-delivery'])).toEqual([deliveryId]);
    } finally {
      await back.stop();
    }
  });

  it('keeps at most WEBHOOK_RESPONSE_MAX_BYTES of an answer (the rest is not read)', async () => {
    const big = await new Receiver().start();
    try {
      big.behave = () => ({ status: 200, body: 'x'.repeat(2_000_000) });
      const ep = await endpoint(big.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      const d = await settledDelivery(ep.id, deliveryId, 'delivered');
      expect(d.attemptLog[0].responseSnippet).toBe('x'.repeat(2_048));
    } finally {
      await big.stop();
    }
  });

  it('answers 409 to the replay of a delivery still being retried', async () => {
    const failing = await new Receiver().start();
    try {
      failing.behave = () => 503;
      const ep = await endpoint(failing.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      await waitFor(async () => failing.received.length >= 1, 10_000, 20);
      const res = await t.call('POST', `/api/admin/webhooks/${ep.id}/deliveries/${deliveryId}/replay`, { as: admin });
      expect(res.status).toBe(409);
      expect((await deliveries(ep.id, '?status=pending')).data.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
      await t.call('DELETE', `/api/admin/webhooks/${ep.id}`, { as: admin });
    } finally {
      await failing.stop();
    }
  });

  it('reports deliveries in the metrics', async () => {
    const res = await fetch(`${t.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/herald_webhook_deliveries_total\{event="webhook.test",outcome="delivered"\} \d+/);
    expect(text).toMatch(/herald_webhook_deliveries_total\{event="webhook.test",outcome="retry"\} \d+/);
    expect(text).toContain('herald_webhook_delivery_duration_seconds_bucket');
    expect(text).toMatch(/herald_webhook_failures_total\{event="webhook.test"\} \d+/);
  });
});

describe('races', () => {
  it('of parallel replays of one delivery, one is sent again and the others answer 409', async () => {
    const rx = await new Receiver().start();
    try {
      const ep = await endpoint(rx.url);
      const { deliveryId } = (await t.call('POST', `/api/admin/webhooks/${ep.id}/test`, { as: admin })).body.data;
      await settledDelivery(ep.id, deliveryId, 'delivered');
      // The replayed send hangs meanwhile, so no replay can be delivered (and reopened anew by a
      // later request) while they race. Checked: with the reopen as a read then a write, several
      // answer 202 and the receiver gets it more than twice.
      rx.behave = () => 'hang';
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.call('POST', `/api/admin/webhooks/${ep.id}/deliveries/${deliveryId}/replay`, { as: admin })));
      rx.behave = () => 200;
      expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
      await waitFor(async () => rx.accepted.length >= 2, 10_000, 20);
      await settledDelivery(ep.id, deliveryId, 'delivered');
      expect(rx.accepted).toHaveLength(2);
    } finally {
      await rx.stop();
    }
  });

  it('of parallel reads of one notification, exactly one tells notification.read', async () => {
    const rx = await new Receiver().start();
    try {
      // Checked: without the row lock in lockUnread, two or more reads each tell it.
      const ep = await endpoint(rx.url, ['notification.read']);
      const user = await t.user('VIEWER');
      await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'Read me', message: 'm' });
      const id = (await t.call('GET', '/api/notifications', { as: user })).body.data[0].id as string;
      const reads = await Promise.all([
        ...Array.from({ length: 4 }, () => t.call('POST', `/api/notifications/${id}/read`, { as: user })),
        t.call('POST', '/api/notifications/bulk', { as: user, body: { ids: [id], action: 'read' } }),
        t.call('POST', '/api/notifications/read-all', { as: user }),
      ]);
      expect(reads.every((r) => r.status === 200)).toBe(true);
      await waitFor(async () => rx.accepted.length >= 1, 10_000, 20);
      const rows = await t.app.database.db.selectFrom('webhook_deliveries').select('event_type').where('endpoint_id', '=', ep.id).execute();
      expect(rows).toEqual([{ event_type: 'notification.read' }]);
    } finally {
      await rx.stop();
    }
  });
});
