import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * A query parameter sent twice reaches the route's zod schema as an array (Fastify's parser): a
 * scalar parameter must answer the contract's 400, never take one of the values silently or 500;
 * a list parameter takes both, as it takes `a,b`.
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => t?.close());

describe('repeated query parameters', () => {
  it('answers a repeated scalar (page, q) with the contract 400 naming it', async () => {
    const as = await t.user('VIEWER');
    for (const path of ['/api/notifications?page=1&page=2', '/api/search/unified?q=a&q=b', '/api/search/unified?q=a&page=1&page=2']) {
      const res = await t.call('GET', path, { as });
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toBe('Invalid query parameters');
    }
  });

  it('takes a repeated list parameter as the comma form', async () => {
    const as = await t.user('VIEWER');
    const repeated = await t.call('GET', '/api/search/unified?q=a&types=asset&types=project', { as });
    const comma = await t.call('GET', '/api/search/unified?q=a&types=asset,project', { as });
    expect(repeated.status).toBe(comma.status);
    expect(repeated.status).toBe(200);
  });
});
