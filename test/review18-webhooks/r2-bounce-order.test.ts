import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { postGeneric, SECRET } from '../email-events/intake.helpers.js';

// Review 18 (R2): a permanent bounce tells email.bounced and email.suppressed for one address in
// one transaction. Both share the address's ordering key however the provider spelled it (the
// intake lower-cases the address), so a retried one never lets the other overtake it: the
// suppression (written first, in the bounce's transaction) and then the bounce. Checked: sound.

let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ EMAIL_WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'email.webhooks=5000' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('a permanent bounce of an address spelled in capitals', () => {
  it('tells email.suppressed and email.bounced under one ordering key, in the order they were written', async () => {
    const ep = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:47706/hook', events: ['email.bounced', 'email.suppressed'] } });
    expect(ep.status).toBe(201);
    const res = await postGeneric(t, { type: 'bounce', email: 'Mixed.Case@Mail.Test', messageId: '<nobody@herald.local>', permanent: true, at: new Date().toISOString(), detail: '550 5.1.1 no such user' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rows = await t.app.database.db.selectFrom('webhook_deliveries').select(['event_type', 'ordering_key']).orderBy('id').execute();
    expect(rows).toEqual([
      { event_type: 'email.suppressed', ordering_key: 'email:mixed.case@mail.test' },
      { event_type: 'email.bounced', ordering_key: 'email:mixed.case@mail.test' },
    ]);
  });
});
