import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SnsClient } from '../../src/email-events/sns.client.js';
import { FakeSns } from './sns.helpers.js';

// The signing certificate is cached per URL; its validity must hold at every use, not only at the
// fetch, or a certificate that expired (or was revoked by rotation) stays trusted for the process's life.

let sns: FakeSns;
beforeAll(async () => {
  sns = await new FakeSns().start(47260);
});
afterAll(async () => {
  await sns?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SnsClient.signingKey', () => {
  it('fetches a certificate once while it is valid, and refuses it from the cache once it has expired', async () => {
    const client = new SnsClient({ certHosts: ['127.0.0.1'], caFile: sns.certFile, fetchTimeoutMs: 5_000 });
    const fetches = () => sns.requests.filter((r) => r === '/SimpleNotificationService-test.pem').length;
    const key = await client.signingKey(sns.certUrl);
    expect(await client.signingKey(sns.certUrl)).toBe(key);
    expect(fetches()).toBe(1);

    // Three days on (the test certificate is valid for two): only JavaScript's clock moves; TLS
    // still verifies against the real one, so the refetch itself succeeds and the validity check refuses.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3 * 86_400_000 });
    await expect(client.signingKey(sns.certUrl)).rejects.toThrow('signing certificate is not valid now');
    expect(fetches()).toBe(2);
  });
});
