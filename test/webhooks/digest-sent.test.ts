import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { Receiver } from './receiver.js';

// email.sent and digest.sent come from the email's completion (EmailService.onSent), in its
// transaction: a digest sent through a real SMTP sink tells both, once, with the transport.

let t: TestApp;
let sink: SmtpSink;
let receiver: Receiver;

beforeAll(async () => {
  sink = await new SmtpSink().start();
  receiver = await new Receiver().start();
  t = await createTestApp({ SMTP_URL: sink.url, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', JOB_BACKOFF_MS: '50' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
  await receiver?.stop();
});

describe('digest.sent and email.sent', () => {
  it('a DAILY digest tells digest.sent and email.sent once each, after the SMTP server took it', async () => {
    const admin = await t.admin();
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events: ['digest.sent', 'email.sent'] } });
    expect(created.status).toBe(201);
    const user = await t.app.services.users.createUser({ email: 'digest-hook@mail.test', password: 'password-123', role: 'VIEWER', name: 'Digest' });
    await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY' });
    const at = new Date('2025-10-18T09:00:00.000Z');
    await t.app.database.db.insertInto('notifications').values({ user_id: user.id, type: 'LICENSE', title: 'In the digest', message: 'm', created_at: new Date(at.getTime() - 3_600_000) }).execute();
    const run = await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'DAILY', at: at.toISOString() } });
    expect(run.status).toBe(202);
    expect(await waitFor(async () => receiver.accepted.length >= 2, 30_000, 50)).toBe(true);
    expect(sink.mailbox('digest-hook@mail.test')).toHaveLength(1);
    const events = receiver.accepted.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    const byType = Object.fromEntries(events.map((e) => [e.type, e.data]));
    expect(Object.keys(byType).sort()).toEqual(['digest.sent', 'email.sent']);
    expect(byType['digest.sent']).toMatchObject({ userId: user.id, to: 'digest-hook@mail.test', messageId: expect.stringMatching(/^<.+>$/) });
    expect(byType['email.sent']).toMatchObject({ kind: 'digest', userId: user.id, status: 'sent', transport: 'smtp-1', notificationId: null });
    // Running it again for the same period sends nothing more and tells nothing more.
    await t.call('POST', '/api/admin/jobs/digests/run', { as: admin, body: { frequency: 'DAILY', at: at.toISOString() } });
    await waitFor(async () => (await t.app.database.db.selectFrom('outbox').select('id').where('completed_at', 'is', null).execute()).length === 0, 20_000, 50);
    const rows = await t.app.database.db.selectFrom('webhook_deliveries').select('event_type').execute();
    expect(rows).toHaveLength(2);
  });
});
