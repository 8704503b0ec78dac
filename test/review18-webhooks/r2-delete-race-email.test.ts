import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

// Review 18 (R2), the worst consequence of the race in r2-delete-race.test.ts: the email's
// completion (after the SMTP server accepted it) emits email.sent in its transaction. An endpoint
// deleted meanwhile failed that transaction with the foreign key's 23503: the email log stayed
// 'sending' under its lease, and once the lease ran out the retry sent the email a second time.

let t: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, EMAIL_LEASE_MS: '1000', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', JOB_BACKOFF_MS: '50' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

describe('an endpoint deleted while an email completion tells email.sent', () => {
  it('leaves the email sent once', async () => {
    const admin = await t.admin();
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:47704/hook', events: ['email.sent'] } });
    expect(created.status).toBe(201);
    const user = await t.app.services.users.createUser({ email: 'race-hook@mail.test', password: 'password-123', role: 'VIEWER', name: 'Race' });
    const deleter = new pg.Client({ connectionString: t.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query('DELETE FROM webhook_endpoints WHERE id = $1', [created.body.data.id]);
      await t.app.services.notifications.notify({ userIds: [user.id], type: 'SYSTEM', title: 'Mailed during the delete', message: 'm', priority: 'HIGH' });
      expect(await waitFor(async () => sink.mailbox('race-hook@mail.test').length >= 1, 20_000, 20)).toBe(true);
      // The completion's statement is now waiting for the DELETE.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deleter.query('COMMIT');
    } finally {
      await deleter.end();
    }
    expect(await waitFor(async () => (await t.app.database.db.selectFrom('email_log').select('status').executeTakeFirst())?.status === 'sent', 10_000, 50)).toBe(true);
    // Past the lease (1 s) and a retry's backoff: nothing sends it again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sink.mailbox('race-hook@mail.test')).toHaveLength(1);
    expect(await t.app.database.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(0);
  });
});
