import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { sign } from '../email-events/intake.helpers.js';

// R1 (review of issue 18): bad input on every issue-18 route outside webhooks/ (suppressions, the
// notification search and timeline, the email summary, the email intake) answers 4xx with the
// contract body, never 500: repeated and oversized query parameters, NUL characters, undecodable
// or overlong path parameters, empty and non-object bodies, other media types, dates PostgreSQL
// cannot store (the 500 fixed in 65e1cc0 was found here).
const SECRET = 'email-events-test-secret-0123';
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ EMAIL_WEBHOOK_SECRET: SECRET, EMAIL_SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123:ours', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000,email.webhooks=5000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

const contract = (status: number, body: unknown) => status >= 400 && status < 500 && typeof body === 'object' && body !== null && (body as { success?: unknown }).success === false && typeof (body as { error?: unknown }).error === 'string';

describe('issue 18 routes under bad input', () => {
  it('admin GET routes', async () => {
    const paths = [
      '/api/admin/emails/suppressions?page=0', '/api/admin/emails/suppressions?pageSize=100000', '/api/admin/emails/suppressions?q=a&q=b',
      '/api/admin/emails/suppressions?q=%00', '/api/admin/emails/suppressions?page=999999&pageSize=100', '/api/admin/emails/suppressions?q=' + 'x'.repeat(300),
      '/api/admin/notifications', '/api/admin/notifications?id=a&userId=b', '/api/admin/notifications?id=a&id=b', '/api/admin/notifications?email=%00',
      '/api/admin/notifications?userId=%00', '/api/admin/notifications?email=a&email=b', '/api/admin/notifications?id=', '/api/admin/notifications?page=999999&pageSize=100&email=x',
      '/api/admin/notifications/%00/timeline', '/api/admin/notifications/' + 'a'.repeat(5000) + '/timeline',
      '/api/admin/emails/summary?hours=0', '/api/admin/emails/summary?hours=721', '/api/admin/emails/summary?hours=1&hours=2', '/api/admin/emails/summary?hours=-1', '/api/admin/emails/summary?hours=1e3',
      '/api/admin/emails?status=bogus', '/api/admin/emails?status=suppressed&status=failed',
      '/api/admin/emails/suppressions?q=%ED%A0%80', '/api/admin/emails/suppressions?q=%F0%9F', '/api/admin/notifications?email=%ED%A0%80%40x',
      '/api/admin/notifications/%ED%A0%80/timeline', '/api/admin/emails/suppressions?q[a]=1', '/api/admin/notifications?id[]=1',
    ];
    const bad: string[] = [];
    for (const p of paths) {
      const res = await t.call('GET', p, { as: admin });
      if (res.status >= 500 || (res.status >= 400 && !contract(res.status, res.body))) bad.push(`${p} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
  });

  it('DELETE suppression', async () => {
    const bad: string[] = [];
    for (const e of ['%ED%A0%80', '%F0%9F', 'a%0Ab@x', '%00', '%25', 'a'.repeat(400), '%20', 'x%40y', '..%2F..%2Fx', '%ZZ']) {
      const res = await t.call('DELETE', `/api/admin/emails/suppressions/${e}`, { as: admin });
      if (res.status >= 500 || !contract(res.status, res.body)) bad.push(`${e} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    const empty = await t.call('DELETE', `/api/admin/emails/suppressions/x@y.z`, { as: admin, body: '', headers: { 'content-type': 'application/json' } });
    expect([empty.status, empty.body]).toEqual([404, { success: false, error: 'Suppression not found' }]);
    expect(bad).toEqual([]);
  });

  it('intake', async () => {
    const bad: string[] = [];
    const at = new Date().toISOString();
    const cases: Array<[string, string, Record<string, string>]> = [
      ['generic', '', { 'content-type': 'application/json', 'x-herald-signature': sign('') }],
      ['generic', '{}', { 'content-type': 'application/json; charset=utf-16', 'x-herald-signature': sign('{}') }],
      ['generic', '{}', { 'content-type': 'application/x-www-form-urlencoded', 'x-herald-signature': sign('{}') }],
      ['generic', '[]', { 'content-type': 'application/json', 'x-herald-signature': sign('[]') }],
      ['generic', 'null', { 'content-type': 'application/json', 'x-herald-signature': sign('null') }],
      ['generic', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['.repeat(1000), { 'content-type': 'application/json', 'x-herald-signature': sign('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['.repeat(1000)) }],
      ['generic', JSON.stringify({ type: 'bounce', email: 'n\u0000ul@x.y', permanent: true, at }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul@x.y', permanent: true, at, detail: 'a\u0000b' }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul@x.y', permanent: true, at: '275760-09-13T00:00:00.001Z' }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul@x.y', permanent: true, at: '+275760-09-13T00:00:00.000Z' }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul2@x.y', permanent: true, at: '0000-01-01T00:00:00Z' }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul3@x.y', permanent: true, at, messageId: 'a\u0000b@x' }), {}],
      ['generic', JSON.stringify({ type: 'bounce', email: 'nul3@x.y', permanent: true, at, id: 'a\u0000b' }), {}],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 1, Type: 'HardBounce', Email: 'pm@x.y', Details: 'x\u0000' }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 2, Type: 'HardBounce', Email: 'pm@x.y', BouncedAt: '9999999999999999' }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 3, Type: 'HardBounce', Email: 'pm@x.y', BouncedAt: -8.64e15 }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 4, Type: 'HardBounce', Email: 'pm@x.y', BouncedAt: '0001-01-01T00:00:00Z' }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 5, Type: 'HardBounce', Email: 'pm@x.y', Metadata: { 'herald-message-id': 'x'.repeat(990) } }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 'x'.repeat(100000), Type: 'HardBounce', Email: 'pm@x.y' }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Bounce', ID: 6, Type: 'HardBounce', Email: 'a'.repeat(250) + '@x.y' }), { 'x-herald-webhook-secret': SECRET }],
      ['postmark', JSON.stringify({ RecordType: 'Delivery', MessageID: 'm', Recipient: { a: 1 } }), { 'x-herald-webhook-secret': SECRET }],
      ['ses', '{}', { 'content-type': 'text/plain' }],
      ['ses', '', { 'content-type': 'application/json' }],
    ];
    for (const [provider, body, headers] of cases) {
      const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
      if (provider === 'generic' && !('x-herald-signature' in headers)) h['x-herald-signature'] = sign(body);
      const res = await t.call('POST', `/api/webhooks/email/${provider}`, { body, headers: h });
      const line = `${provider} ${body.slice(0, 80)} ${JSON.stringify(headers).slice(0, 60)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      if (res.status >= 500 || (res.status >= 400 && !contract(res.status, res.body))) bad.push(line);
    }
    expect(bad).toEqual([]);
  });
});
