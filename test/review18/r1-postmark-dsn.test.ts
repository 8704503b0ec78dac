import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePostmark } from '../../src/email-events/postmark.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { eventsOf, SECRET, sentEmail } from '../email-events/intake.helpers.js';

/**
 * R1 (review of issue 18): Postmark's bounce `Content` is the whole bounce, a DSN: its own headers
 * (with the DSN's own Message-ID) come first, our message's headers only in the attached part.
 * The intake read the first Message-ID line only, the DSN's, so with no Metadata (herald sends
 * none) a real bounce never matched its email: no timeline entry, no user for a complaint. Every
 * Message-ID line is a candidate; only one of ours matches an email_log row.
 */
let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await createTestApp({ SMTP_URL: sink.url, EMAIL_WEBHOOK_SECRET: SECRET, RATE_LIMIT_OVERRIDES: 'email.webhooks=2000' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const dsn = (ours: string) => [
  'Return-Path: <>', 'Received: from mx.example.net', 'Message-ID: <20261206123456.ABC123@mx.example.net>', 'Subject: Undelivered Mail Returned to Sender',
  'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: text/plain', '',
  'This is the mail system at host mx.example.net.', '', '--b', 'Content-Type: message/delivery-status', '', 'Final-Recipient: rfc822; x@mail.test',
  'Status: 5.1.1', '', '--b', 'Content-Type: text/rfc822-headers', '', 'From: Herald <no-reply@herald.test>', `Message-ID: ${ours}`, 'Subject: Payout', '', '--b--',
].join('\r\n');

describe('a Postmark bounce whose Content is a DSN', () => {
  it('candidates: every Message-ID line of the content, in order', () => {
    const parsed = parsePostmark({ RecordType: 'Bounce', ID: 1, MessageID: 'pm', Type: 'HardBounce', Email: 'x@mail.test', Content: dsn('<ours@herald.test>') }, new Date());
    expect(parsed).toMatchObject({ kind: 'events', events: [{ messageIds: ['<20261206123456.ABC123@mx.example.net>', '<ours@herald.test>', '<pm>'] }] });
  });

  it('is matched to our email through the attached headers (real intake, real sent email)', async () => {
    const sent = await sentEmail(t, sink, 'pm-dsn');
    const res = await t.call('POST', '/api/webhooks/email/postmark', {
      body: { RecordType: 'Bounce', ID: 4242, MessageID: '883953f4-6105-42a2-a16a-77a8eac79483', Type: 'HardBounce', Email: sent.email, BouncedAt: new Date().toISOString(), Content: dsn(sent.messageId) },
      headers: { 'x-herald-webhook-secret': SECRET },
    });
    expect(res.status).toBe(200);
    expect((await eventsOf(t, sent.email))[0]).toMatchObject({ email_log_id: sent.logId, message_id: sent.messageId });
  });
});
