import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';

// Issue 17 and the digests: a digest lists what is in the user's inbox. An archived notification,
// one snoozed into the future and an expired one are not there, so they are not in the digest
// either (nor counted in its subject); one whose snooze is over, or that expires later, is.

let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

const RUN = new Date('2025-10-18T09:00:00.000Z');
const HOUR = 3_600_000;

describe('a digest and the inbox', () => {
  it('leaves out archived, snoozed-into-the-future and expired notifications', async () => {
    const user = await t.app.services.users.createUser({ email: 'inbox-digest@digest.test', password: 'password-123', role: 'CREATOR', name: 'Digest' });
    await t.app.services.notifications.updatePreferences(user.id, { digestFrequency: 'DAILY', emailEnabled: true });
    const db = t.app.database.db;
    await db.updateTable('notification_preferences').set({ last_digest_sent_at: new Date(RUN.getTime() - 24 * HOUR) }).where('user_id', '=', user.id).execute();
    const now = Date.now();
    const rows = {
      'in-the-inbox': {},
      'archived-one': { archived_at: new Date(now - HOUR) },
      'snoozed-till-tomorrow': { snoozed_until: new Date(now + 24 * HOUR), ranked_at: new Date(now + 24 * HOUR) },
      'expired-one': { expires_at: new Date(now - 60_000) },
      'snooze-over': { snoozed_until: new Date(now - 60_000), ranked_at: new Date(now - 60_000) },
      'expires-tomorrow': { expires_at: new Date(now + 24 * HOUR) },
    };
    await db.insertInto('notifications').values(Object.entries(rows).map(([title, fields]) => ({
      user_id: user.id, type: 'LICENSE' as const, title, message: 'Details', created_at: new Date(RUN.getTime() - HOUR), ...fields,
    }))).execute();

    await t.app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt: RUN, trigger: 'manual' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await queueIdle(t.app, 'notification-digest')).toBe(true);

    const mails = sink.mailbox(user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Your daily digest: 3 new notifications');
    for (const title of ['in-the-inbox', 'snooze-over', 'expires-tomorrow']) expect(mails[0]!.text).toContain(title);
    for (const title of ['archived-one', 'snoozed-till-tomorrow', 'expired-one']) expect(mails[0]!.text).not.toContain(title);
  });
});
