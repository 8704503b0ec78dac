import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FailoverTransport } from '../../src/platform/email/failover.transport.js';
import { PermanentEmailError, type OutgoingMail } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * R1 (review of issue 18): a 5xx was always "the server is alive, another server would refuse the
 * same message", so a primary relay that stopped relaying for herald (its IP changed, its login
 * lost: "550 relay not permitted", qmail's "(#5.7.1) … rcpthosts", "Authentication required")
 * failed EVERY email for good while smtp-2, able to send them, was never tried. Such a refusal is
 * about the transport, not the message: the email goes to the next server, and the primary's
 * breaker counts it; an ordinary 5xx (a dead mailbox) still fails at once, tried nowhere else.
 */
let primary: SmtpSink;
let secondary: SmtpSink;
let transport: FailoverTransport | null = null;
let n = 0;
const mail = (to: string): OutgoingMail => ({ from: 'Herald <no-reply@herald.test>', to, subject: 's', html: '<p>h</p>', text: 'h', headers: {}, messageId: `<rf${++n}-${Date.now()}@herald.test>` });

beforeEach(async () => {
  primary = await new SmtpSink({ plainReplies: true }).start();
  secondary = await new SmtpSink().start();
});
afterEach(async () => {
  await transport?.close();
  transport = null;
  await primary.stop();
  await secondary.stop();
});

describe('a primary that will not relay for herald', () => {
  it('hands the email to the next transport under the same Message-ID', async () => {
    transport = new FailoverTransport([primary.url, secondary.url], { maxConnections: 1, timeoutMs: 1_000, cooldownMs: 60_000, maxCooldownMs: 600_000, max4xx: 3 });
    for (const rcpt of ['550 relay not permitted', '553 sorry, that domain isn\'t in my list of allowed rcpthosts (#5.7.1)', '550 5.7.1 Relaying denied']) {
      const to = `relay${++n}@mail.test`;
      primary.answers.set(to, { rcpt });
      const m = mail(to);
      const handOff = await transport.send(m).catch((e: unknown) => e);
      expect([rcpt, handOff]).toMatchObject([rcpt, { transport: 'smtp-2' }]);
      expect(secondary.mailbox(to).map((r) => r.messageId)).toEqual([m.messageId]);
    }
  });

  it('a dead mailbox is still permanent at once, never tried elsewhere', async () => {
    transport = new FailoverTransport([primary.url, secondary.url], { maxConnections: 1, timeoutMs: 1_000, cooldownMs: 60_000, maxCooldownMs: 600_000, max4xx: 3 });
    for (const rcpt of ['550 5.1.1 <x>: Recipient address rejected: User unknown', '550 5.1.1 <x>: Recipient address rejected: User unknown in relay recipient table']) {
      const to = `dead${++n}@mail.test`;
      primary.answers.set(to, { rcpt });
      expect([rcpt, await transport.send(mail(to)).catch((e: unknown) => e)]).toEqual([rcpt, expect.any(PermanentEmailError)]);
      expect(secondary.offered).not.toContain(to);
    }
  });
});
