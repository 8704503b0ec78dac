import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, type Resolver } from '../../src/webhooks/webhooks.http.js';

// Review 18 (R2): "A 2xx answer is a delivery" and "a delivered event is not sent again unless an
// admin replays it" (OPERATIONS). A receiver that answered 200 and then kept its body open (a
// streaming framework, a slow proxy) or cut the connection mid-body had its 2xx thrown away: the
// timeout answered `status: null`, a failed attempt, and the event it had accepted was sent again
// on every retry.

let server: http.Server;
const mode: { current: 'trickle' | 'cut' } = { current: 'trickle' };
const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('accepted, now ');
      if (mode.current === 'cut') setTimeout(() => res.socket?.destroy(), 50);
      // trickle: the body never ends (closed by the test's end).
    });
  });
  await new Promise<void>((resolve) => server.listen(47705, '127.0.0.1', () => resolve()));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = () => postWebhook('http://127.0.0.1:47705/hook', { headers: {}, body: '{}', timeoutMs: 400, maxResponseBytes: 100, resolver, allowPrivate: true });

describe('a 2xx answer whose body does not complete', () => {
  it('is a delivery when the body never ends (its status is kept at the timeout)', async () => {
    mode.current = 'trickle';
    const result = await post();
    expect(result).toMatchObject({ status: 200, snippet: 'accepted, now ' });
  });

  it('is a delivery when the connection is cut in the middle of the body', async () => {
    mode.current = 'cut';
    const result = await post();
    expect(result.status).toBe(200);
  });

  it('with WEBHOOK_RESPONSE_MAX_BYTES=0 (keep nothing) reads none of the body: the answer is its head', async () => {
    mode.current = 'trickle';
    const result = await postWebhook('http://127.0.0.1:47705/hook', { headers: {}, body: '{}', timeoutMs: 2_000, maxResponseBytes: 0, resolver, allowPrivate: true });
    expect(result).toMatchObject({ status: 200, snippet: '', error: null });
    expect(result.durationMs).toBeLessThan(1_000);
  });
});
