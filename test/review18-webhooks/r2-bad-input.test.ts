import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// Review 18 (R2): bad input on the admin webhooks routes answers 4xx with the contract's error
// body, never 500.

let t: TestApp;
let admin: Session;
let id: string;
const url = 'http://127.0.0.1:47702/hook';

beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api'] });
  admin = await t.admin();
  const res = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url, events: ['email.sent'] } });
  id = res.body.data.id;
});
afterAll(async () => {
  await t?.close();
});

const check = (res: { status: number; body: any }, what: string) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  expect(res.body, what).toMatchObject({ success: false, error: expect.any(String) });
};

describe('bad input on the admin webhooks API', () => {
  it('a NUL character in a URL, description or secret is a 400, not PostgreSQL\'s 500', async () => {
    for (const body of [
      { url: `${url}/a\u0000b`, events: ['email.sent'] },
      { url, events: ['email.sent'], description: 'a\u0000b' },
      { url, events: ['email.sent'], secret: 'sixteen-chars-at-least\u0000' },
    ]) {
      check(await t.call('POST', '/api/admin/webhooks', { as: admin, body }), `POST ${JSON.stringify(body)}`);
      const { events: _events, ...patch } = body;
      check(await t.call('PATCH', `/api/admin/webhooks/${id}`, { as: admin, body: patch }), `PATCH ${JSON.stringify(patch)}`);
    }
  });

  it('query strings: huge pages, repeated and mistyped parameters', async () => {
    for (const query of ['?page=0', '?page=-1', '?page=1e400', '?page=99999999999999999999', '?pageSize=100000', '?pageSize=abc', '?status=pending&status=failed', '?page=1&page=2', '?page=1.5']) {
      const res = await t.call('GET', `/api/admin/webhooks/${id}/deliveries${query}`, { as: admin });
      if (res.status !== 200) check(res, query);
    }
  });

  it('bodies of the wrong shape', async () => {
    for (const body of [[], 'x', 1, null, { url: null }, { enabled: 'yes' }, { events: 'email.sent' }, { url: 5 }]) {
      check(await t.call('PATCH', `/api/admin/webhooks/${id}`, { as: admin, body }), `PATCH ${JSON.stringify(body)}`);
    }
    for (const body of [[], 'x', 1, null]) check(await t.call('POST', '/api/admin/webhooks', { as: admin, body }), `POST ${JSON.stringify(body)}`);
    const empty = await t.call('PATCH', `/api/admin/webhooks/${id}`, { as: admin, headers: { 'content-type': 'application/json' } });
    // An empty JSON body is read as {} by the platform (a change of nothing): not a 500.
    expect(empty.status).toBeLessThan(500);
  });
});
