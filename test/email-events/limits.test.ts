import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { sign } from './intake.helpers.js';

// Without EMAIL_WEBHOOK_SECRET the secret-authenticated providers do not exist (never open), and
// the public endpoint is limited per client address before its body is read.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'email.webhooks=5' });
});
afterAll(async () => {
  await t?.close();
});

describe('email webhooks without a secret, and their rate limit', () => {
  it('postmark and generic answer 404 while EMAIL_WEBHOOK_SECRET is unset, ses while EMAIL_SNS_TOPIC_ARNS is, whatever they carry', async () => {
    const body = JSON.stringify({ type: 'bounce', email: 'a@mail.test', permanent: true, at: new Date().toISOString() });
    // Signed with what an attacker might guess an unset secret to be.
    const generic = await t.call('POST', '/api/webhooks/email/generic', { body, headers: { 'content-type': 'application/json', 'x-herald-signature': sign(body, '') } });
    const postmark = await t.call('POST', '/api/webhooks/email/postmark', { body: { RecordType: 'Bounce', ID: 1, Type: 'HardBounce', Email: 'a@mail.test' }, headers: { authorization: `Basic ${Buffer.from('x:').toString('base64')}` } });
    // A signed SNS message from a topic an attacker created would verify: without our topic list, no ses.
    const ses = await t.call('POST', '/api/webhooks/email/ses', { body: JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:666:theirs' }), headers: { 'content-type': 'text/plain; charset=UTF-8' } });
    for (const res of [generic, postmark, ses]) expect([res.status, res.body]).toEqual([404, { success: false, error: 'Not found' }]);
    expect(await t.app.database.db.selectFrom('email_events').select('id').execute()).toEqual([]);
  });

  it('the sixth request in a minute from one address is a 429 with Retry-After', async () => {
    // Three used above; two more pass, the sixth is refused.
    for (let i = 0; i < 2; i++) expect((await t.call('POST', '/api/webhooks/email/ses', { body: {} })).status).toBe(404);
    const refused = await t.call('POST', '/api/webhooks/email/ses', { body: {} });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toContain('herald_email_webhook_rejected_total{provider="ses",reason="rate-limited"} 1');
    expect(metrics.body).toContain('herald_email_webhook_rejected_total{provider="generic",reason="not-configured"} 1');
  });
});
