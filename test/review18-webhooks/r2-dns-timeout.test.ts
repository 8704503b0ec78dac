import { describe, expect, it } from 'vitest';
import { postWebhook, type Resolver } from '../../src/webhooks/webhooks.http.js';

// Review 18 (R2): WEBHOOK_TIMEOUT_MS is "the whole exchange", but the SSRF guard's DNS lookup ran
// before the timer started: a receiver's name whose DNS never answers (or answers after
// minutes: getaddrinfo's retries, a slow authoritative server the endpoint's owner controls) held
// the delivery job, and its worker slot, for as long as the lookup took.

describe('postWebhook', () => {
  it('gives up after timeoutMs when the lookup of the name never answers', async () => {
    const never: Resolver = () => new Promise(() => undefined);
    const started = Date.now();
    const result = await Promise.race([
      postWebhook('http://slow-dns.example/hook', { headers: {}, body: '{}', timeoutMs: 200, maxResponseBytes: 100, resolver: never, allowPrivate: false }),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 3_000)),
    ]);
    expect(result).not.toBe('still waiting');
    expect(result).toMatchObject({ status: null, error: expect.stringContaining('timed out') });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
