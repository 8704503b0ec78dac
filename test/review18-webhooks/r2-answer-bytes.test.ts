import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { Receiver } from '../webhooks/receiver.js';

// Review 18 (R2): the receiver's answer is kept (its first WEBHOOK_RESPONSE_MAX_BYTES) in a text
// column. An answer with a NUL byte (a binary body, a C string) cannot be stored in PostgreSQL
// text: the statement recording the attempt failed, so a delivery the receiver ACCEPTED (2xx) was
// never marked delivered, was sent again on every retry, and stayed pending, holding back every
// later event of its ordering key.

let t: TestApp;
let admin: Session;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver(47703).start();
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', JOB_BACKOFF_MS: '50' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await receiver?.stop();
});

describe('an answer the receiver sends with a NUL byte', () => {
  it('is a delivered delivery, sent once, its snippet kept without the NUL', async () => {
    receiver.behave = () => ({ status: 200, body: 'ok\u0000binary\u0000' });
    const ep = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events: ['email.sent'] } });
    expect(ep.status).toBe(201);
    const ping = await t.call('POST', `/api/admin/webhooks/${ep.body.data.id}/test`, { as: admin });
    expect(ping.status).toBe(202);
    const status = async () => (await t.call('GET', `/api/admin/webhooks/${ep.body.data.id}/deliveries`, { as: admin })).body.data[0];
    await waitFor(async () => (await status())?.status === 'delivered' || receiver.received.length >= 3, 15_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const d = await status();
    expect(receiver.received).toHaveLength(1);
    expect(d.status).toBe('delivered');
    expect(d.attemptLog).toHaveLength(1);
    expect(d.attemptLog[0].responseSnippet).not.toContain('\u0000');
  });
});
