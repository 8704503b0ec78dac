import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyRefusal } from '../../src/platform/email/bounce.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';

/**
 * R1 (review of issue 18): Postfix evaluates sender restrictions at RCPT TO (smtpd_delay_reject=yes,
 * its default), so a problem with OUR sender address (its domain's DNS gone, an unknown bounce
 * mailbox) is answered to each recipient: "553 5.1.8 <noreply@…>: Sender address rejected: Domain
 * not found", "550 5.1.0 <noreply@…>: Sender address rejected: User unknown". 5.1.x at RCPT TO was
 * read as the recipient's dead address, so one DNS outage of the sender's domain suppressed every
 * user herald mailed meanwhile, each needing an admin's lift. 5.1.7/5.1.8 are the sender's codes
 * (RFC 3463) and "Sender address rejected" says whose address it is: the message fails, the
 * recipient stays mailable.
 */
let sink: SmtpSink;
let t: TestApp;
let n = 0;

beforeAll(async () => {
  sink = await new SmtpSink({ plainReplies: true }).start();
  t = await createTestApp({ SMTP_URL: sink.url, JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '3' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const SENDER_REFUSALS = [
  '553 5.1.8 <noreply@herald.test>: Sender address rejected: Domain not found',
  '550 5.1.0 <noreply@herald.test>: Sender address rejected: User unknown in virtual mailbox table',
  '553 5.1.7 <noreply@herald.test>: Sender address rejected: not logged in',
];

describe('a refusal of our sender address at RCPT TO', () => {
  it('is about the message, not the recipient (rules)', () => {
    for (const response of SENDER_REFUSALS) {
      const err = { code: 'EENVELOPE', command: 'RCPT TO', rejectedErrors: [{ command: 'RCPT TO', response, responseCode: Number(response.slice(0, 3)) }] };
      expect([response, classifyRefusal(err).about]).toEqual([response, 'message']);
    }
    // The recipient's own refusals still are.
    expect(classifyRefusal({ command: 'RCPT TO', response: '550 5.1.1 <u@x>: Recipient address rejected: User unknown', responseCode: 550 }).about).toBe('recipient');
  });

  it('fails the email without suppressing the recipient (real SMTP server)', async () => {
    for (const rcpt of SENDER_REFUSALS) {
      const user = await t.app.services.users.createUser({ email: `sender${++n}-${Date.now()}@mail.test`, password: 'password-123', role: 'CREATOR', name: 'x' });
      sink.answers.set(user.email, { rcpt });
      await t.app.services.notifications.notify({ userIds: [user.id], type: 'PAYOUT', title: 'Payout', message: 'On its way.' });
      expect((await outboxSettled(t.app)).drained).toBe(true);
      const log = await t.app.database.db.selectFrom('email_log').select(['status', 'error']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(log.status).toBe('failed');
      const suppressed = await t.app.database.db.selectFrom('email_suppressions').select('email').where('email', '=', user.email).executeTakeFirst();
      expect([rcpt, suppressed ?? null]).toEqual([rcpt, null]);
    }
  });
});
