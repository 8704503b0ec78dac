import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyRefusal } from '../../src/platform/email/bounce.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { outboxSettled } from '../helpers/wait.js';

/**
 * R1 (review of issue 18): a relay that will not relay for herald (its IP changed, its SMTP login
 * lost) refuses every RCPT TO. Exim says "550 relay not permitted", qmail "553 sorry, that domain
 * isn't in my list of allowed rcpthosts (#5.7.1)": no leading enhanced code, so a plain 550/553 to
 * RCPT TO was read as the recipient's dead address, and such a relay suppressed every user herald
 * tried to mail (each needing an admin's lift). A refusal to relay, or to serve an unauthenticated
 * client, is about herald, and qmail's trailing "(#5.x.y)" is its enhanced code.
 */
const RELAY_REFUSALS = [
  '550 relay not permitted',
  '553 sorry, that domain isn\'t in my list of allowed rcpthosts (#5.7.1)',
  '550 Relaying denied',
  '550 authentication required',
  '553 Authentication is required to send mail as <noreply@herald.test>',
];

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

describe('a relay refusing to relay', () => {
  it('is about the message, not the recipient (rules)', () => {
    for (const response of RELAY_REFUSALS) {
      const err = { code: 'EENVELOPE', command: 'RCPT TO', rejectedErrors: [{ command: 'RCPT TO', response, responseCode: Number(response.slice(0, 3)) }] };
      expect([response, classifyRefusal(err).about]).toEqual([response, 'message']);
    }
    // A plain 550 about the mailbox still names the recipient; qmail's trailing code is read.
    for (const response of ['550 No such user here', '550 sorry, no mailbox here by that name. (#5.1.1)', '550 5.1.1 <u@x>: Recipient address rejected: User unknown in relay recipient table']) {
      expect([response, classifyRefusal({ command: 'RCPT TO', response, responseCode: 550 }).about]).toEqual([response, 'recipient']);
    }
  });

  it('retries the email without suppressing the recipient (real SMTP server, alone)', async () => {
    for (const rcpt of RELAY_REFUSALS) {
      const user = await t.app.services.users.createUser({ email: `relay${++n}-${Date.now()}@mail.test`, password: 'password-123', role: 'CREATOR', name: 'x' });
      sink.answers.set(user.email, { rcpt });
      await t.app.services.notifications.notify({ userIds: [user.id], type: 'PAYOUT', title: 'Payout', message: 'On its way.' });
      expect((await outboxSettled(t.app)).drained).toBe(true);
      // Not the email's fault either: retried (the claim released with the answer), so fixing the
      // relay and retrying the job sends it (r1-relay-failover.test.ts: a second server takes it at once).
      const log = await t.app.database.db.selectFrom('email_log').select(['status', 'error', 'attempts']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect([rcpt, log.status, log.attempts]).toEqual([rcpt, 'sending', 3]);
      expect(log.error).toContain(rcpt);
      const suppressed = await t.app.database.db.selectFrom('email_suppressions').select('email').where('email', '=', user.email).executeTakeFirst();
      expect([rcpt, suppressed ?? null]).toEqual([rcpt, null]);
    }
  });
});
