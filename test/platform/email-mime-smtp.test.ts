import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport, type MailTransport } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Review of issue 21 (a21d2e1): herald's own MIME goes to nodemailer as a raw message. Through a
 * real SMTP server: a body line of "." (the end of DATA unless dot-stuffed), SMTP commands after
 * it, bare LF and CR, and header values trying to start headers of their own, arrive as one
 * message with the bodies unchanged and no header added.
 */
describe('composed MIME over SMTP', () => {
  const sink = new SmtpSink();
  let transport: MailTransport;
  beforeAll(async () => {
    await sink.start();
    transport = createSmtpTransport(sink.url, { maxConnections: 1 });
  });
  afterAll(async () => {
    await transport.close();
    await sink.stop();
  });

  it('dot-stuffs, keeps the bodies, and lets no value start a header or a second message', async () => {
    const text = 'Hello\n.\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n..two dots\n.\r.\rend';
    const html = '<p>a</p>\r\n.\r\n<p>b</p>';
    await transport.send({
      from: 'Herald <no-reply@herald.local>', to: '"Ada\r\nBcc: victim@example.com" <ada@example.com>',
      subject: 'Hi\r\n\r\n.\r\nBcc: victim@example.com', html, text,
      headers: { 'List-Unsubscribe': '<https://herald.local/u>\r\nBcc: victim@example.com', 'X-Nul': 'a\u0000b\ud800c' },
      messageId: '<m1@herald.local>',
    });
    await transport.send({
      from: 'Herald <no-reply@herald.local>', to: 'second@example.com', subject: 'second', html: '<p>2</p>', text: '2', headers: {}, messageId: '<m2@herald.local>',
    });
    expect(sink.received.map((m) => m.to)).toEqual([['ada@example.com'], ['second@example.com']]);
    const [first] = sink.received;
    expect(first!.text).toBe(text.replace(/\r\n|\r/g, '\n'));
    expect(first!.html).toBe(html.replace(/\r\n/g, '\n'));
    expect(first!.headers.has('bcc')).toBe(false);
    expect(first!.messageId).toBe('<m1@herald.local>');
  });
});
