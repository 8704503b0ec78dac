import { describe, expect, it } from 'vitest';
import { checkedAddress, postWebhook, type Resolver } from '../../src/webhooks/webhooks.http.js';

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

describe('checkedAddress with lookupTimeoutMs (the registration\'s check)', () => {
  it('refuses a name whose lookup never answers once the timeout passed', async () => {
    const never: Resolver = () => new Promise(() => undefined);
    const started = Date.now();
    await expect(checkedAddress(new URL('http://slow-dns.example/hook'), { resolver: never, allowPrivate: false, lookupTimeoutMs: 200 }))
      .rejects.toThrow(/cannot resolve slow-dns\.example: timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('still refuses a private answer and accepts a public one in time', async () => {
    const quick = (address: string): Resolver => async () => [{ address, family: 4 }];
    await expect(checkedAddress(new URL('http://inside.example/'), { resolver: quick('10.0.0.1'), allowPrivate: false, lookupTimeoutMs: 200 })).rejects.toThrow(/private/);
    await expect(checkedAddress(new URL('http://outside.example/'), { resolver: quick('8.8.8.8'), allowPrivate: false, lookupTimeoutMs: 200 })).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(checkedAddress(new URL('http://8.8.4.4/'), { resolver: quick('10.0.0.1'), allowPrivate: false, lookupTimeoutMs: 200 })).resolves.toEqual({ address: '8.8.4.4', family: 4 });
  });
});
