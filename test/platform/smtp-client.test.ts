import { afterEach, describe, expect, it } from 'vitest';
import { classifyRefusal } from '../../src/platform/email/bounce.rules.js';
import { waitFor } from '../../src/platform/net.js';
import { classifySmtpFailure } from '../../src/platform/email/circuit-breaker.rules.js';
import { createSmtpTransport, PermanentEmailError, type MailTransport, type OutgoingMail } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Issue 21: herald's own SMTP client (smtp-client.ts) behind createSmtpTransport, against a real
 * SMTP server (smtp-server in the test process): the envelope pipelined when offered and one
 * command at a time when not, refusals in the shape the bounce and breaker rules classify, the
 * session kept (RSET) after a refusal, the ambiguous cut after DATA, dot-stuffing, a large
 * message, TLS (STARTTLS and smtps:) with certificates checked unless `?tls=insecure`.
 */

const sinks: SmtpSink[] = [];
const transports: MailTransport[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(sinks.splice(0).map((s) => s.stop()));
});

async function sinkOf(options: ConstructorParameters<typeof SmtpSink>[0] = {}): Promise<SmtpSink> {
  const sink = await new SmtpSink(options).start();
  sinks.push(sink);
  return sink;
}

function transportOf(url: string, maxConnections = 1): MailTransport {
  const transport = createSmtpTransport(url, { maxConnections, timeoutMs: 2_000 });
  transports.push(transport);
  return transport;
}

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => {
  n += 1;
  return { from: 'Herald <no-reply@herald.test>', to: `r${n}@mail.test`, subject: `s${n}`, html: `<p>${n}</p>`, text: `t${n}`, headers: {}, messageId: `<c${n}.${Date.now()}@herald.test>`, ...over };
};

/** The client's chunks that carry an SMTP command (not message content, not the session's opening). */
const envelopeChunks = (sink: SmtpSink) => sink.wire.filter((c) => /^(MAIL FROM|RCPT TO|DATA)/m.test(c));

describe('herald SMTP client', () => {
  it('pipelines MAIL FROM, RCPT TO and DATA in one write when the server offers PIPELINING, and sends the message', async () => {
    const sink = await sinkOf({ wire: true });
    const transport = transportOf(sink.url);
    const m = mail();
    const handOff = await transport.send(m);
    expect(handOff.response).toMatch(/^250 /);
    expect(sink.received.map((r) => [r.to, r.from, r.messageId, r.text])).toEqual([[[m.to], 'no-reply@herald.test', m.messageId, m.text]]);
    const chunks = envelopeChunks(sink);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toBe(`MAIL FROM:<no-reply@herald.test>\r\nRCPT TO:<${m.to}>\r\nDATA\r\n`);
  });

  it('sends one command at a time to a server without PIPELINING', async () => {
    const sink = await sinkOf({ wire: true, pipelining: false });
    const transport = transportOf(sink.url);
    const m = mail();
    await transport.send(m);
    await transport.send(mail());
    expect(sink.received).toHaveLength(2);
    expect(envelopeChunks(sink).slice(0, 3)).toEqual(['MAIL FROM:<no-reply@herald.test>\r\n', `RCPT TO:<${m.to}>\r\n`, 'DATA\r\n']);
  });

  for (const pipelining of [true, false]) {
    it(`a 5xx at RCPT TO is a permanent refusal of the recipient, and the session carries the next message (${pipelining ? 'pipelined' : 'one by one'})`, async () => {
      const sink = await sinkOf({ pipelining, wire: true, plainReplies: true });
      const transport = transportOf(sink.url);
      sink.answers.set('gone@mail.test', { rcpt: '550 5.1.1 User unknown' });
      const err = await transport.send(mail({ to: 'gone@mail.test' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentEmailError);
      expect(classifyRefusal(err)).toEqual({ about: 'recipient', response: '550 5.1.1 User unknown' });
      const next = mail();
      await transport.send(next);
      expect(sink.received.map((r) => r.messageId)).toEqual([next.messageId]);
      // Same connection, reset: one greeting's EHLO, and RSET before the next envelope.
      expect(sink.wire.filter((c) => c.startsWith('EHLO'))).toHaveLength(1);
      expect(sink.wire.some((c) => c.startsWith('RSET'))).toBe(true);
    });
  }

  it('a 5xx after DATA refuses the message, not the recipient (no suppression), even a plain 550', async () => {
    const sink = await sinkOf({ plainReplies: true });
    const transport = transportOf(sink.url);
    sink.answers.set('big@mail.test', { data: '552 5.3.4 Message too big' });
    sink.answers.set('policy@mail.test', { data: '550 Rejected by policy' });
    const big = await transport.send(mail({ to: 'big@mail.test' })).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(PermanentEmailError);
    expect(classifyRefusal(big)).toEqual({ about: 'message', response: '552 5.3.4 Message too big' });
    // Without an enhanced code only the command tells: a 550 to RCPT TO would name the recipient.
    const policy = await transport.send(mail({ to: 'policy@mail.test' })).catch((e: unknown) => e);
    expect(policy).toBeInstanceOf(PermanentEmailError);
    expect(classifyRefusal(policy)).toEqual({ about: 'message', response: '550 Rejected by policy' });
  });

  it('a 4xx at DATA is temporary (a retry, not a bounce) and the session carries the next message', async () => {
    const sink = await sinkOf({ wire: true });
    const transport = transportOf(sink.url);
    sink.failNext(1, 451);
    const err = await transport.send(mail()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentEmailError);
    expect(err).toMatchObject({ responseCode: 451, command: 'DATA', code: 'EMESSAGE' });
    expect(classifyRefusal(err)).toEqual({ about: 'temporary' });
    expect(classifySmtpFailure(err)).toBe('transient');
    await transport.send(mail());
    expect(sink.received).toHaveLength(1);
    expect(sink.wire.filter((c) => c.startsWith('EHLO'))).toHaveLength(1);
  });

  it('a connection cut after DATA, before the answer, is a connection failure (the ambiguous case): the server kept it, the client cannot know', async () => {
    const sink = await sinkOf();
    const transport = transportOf(sink.url);
    // A reused connection: the client must not take the cut for an idle time-out and resend.
    const before = mail();
    await transport.send(before);
    sink.dropAfterData(1);
    const m = mail();
    const err = await transport.send(m).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentEmailError);
    expect((err as { responseCode?: number }).responseCode).toBeUndefined();
    expect(classifySmtpFailure(err)).toBe('connection');
    expect(sink.received.map((r) => r.messageId)).toEqual([before.messageId, m.messageId]);
    // Not resent by the client on its own (the failover transport decides); a new connection carries the next one.
    const next = mail();
    await transport.send(next);
    expect(sink.received.map((r) => r.messageId)).toEqual([before.messageId, m.messageId, next.messageId]);
  });

  it('dot-stuffs lines starting with "." so the message arrives whole, with nothing after a lone "." read as a command', async () => {
    const sink = await sinkOf({ wire: true });
    const transport = transportOf(sink.url);
    const text = '.first line\n.\nMAIL FROM:<evil@example.com>\n..two\n. space\nend.\n.';
    const html = '.<p>x</p>\r\n.\r\n<p>y</p>';
    await transport.send(mail({ text, html }));
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]!.text).toBe(text);
    expect(sink.received[0]!.html).toBe(html.replace(/\r\n/g, '\n'));
    const data = sink.wire.join('');
    expect(data).toContain('\r\n..first line\r\n..\r\nMAIL FROM:<evil@example.com>\r\n...two\r\n.. space\r\nend.\r\n..\r\n');
    expect(sink.offered).toHaveLength(1);
  });

  it('sends a message larger than 64 KiB intact', async () => {
    const sink = await sinkOf();
    const transport = transportOf(sink.url);
    const line = (i: number) => `${i % 7 === 0 ? '.' : ''}line ${i} ${'x'.repeat(60)}`;
    const text = Array.from({ length: 4_000 }, (_, i) => line(i)).join('\n');
    expect(text.length).toBeGreaterThan(256 * 1024);
    await transport.send(mail({ text }));
    await transport.send(mail());
    expect(sink.received).toHaveLength(2);
    expect(sink.received[0]!.text).toBe(text);
  });

  it('pools up to maxConnections sessions and sends concurrent messages over them, each once', async () => {
    const sink = await sinkOf({ wire: true });
    const transport = transportOf(sink.url, 3);
    const all = Array.from({ length: 30 }, () => mail());
    await Promise.all(all.map((m) => transport.send(m)));
    expect(new Set(sink.received.map((r) => r.messageId))).toEqual(new Set(all.map((m) => m.messageId)));
    expect(sink.received).toHaveLength(30);
    expect(sink.wire.filter((c) => c.startsWith('EHLO'))).toHaveLength(3);
  });

  it('a connection the server closed while idle is replaced: the next message goes out on a new one', async () => {
    const sink = await sinkOf();
    const transport = transportOf(sink.url);
    await transport.send(mail());
    await sink.stop();
    await sink.start();
    await transport.send(mail());
    expect(sink.received).toHaveLength(2);
  });

  it('a reused connection the server cut before any byte of the message went out: the message goes out once on a new one', async () => {
    const sink = await sinkOf();
    const transport = transportOf(sink.url);
    await transport.send(mail());
    sink.dropAtMailFrom(1);
    const m = mail();
    await transport.send(m);
    expect(sink.received.map((r) => r.messageId).slice(1)).toEqual([m.messageId]);
  });

  it('close() lets a message in flight finish and closes the idle connections at once', async () => {
    const sink = await sinkOf({ delayMs: 300 });
    const transport = createSmtpTransport(sink.url, { maxConnections: 2, timeoutMs: 2_000 });
    await Promise.all([transport.send(mail()), transport.send(mail())]);
    const m = mail();
    const inFlight = transport.send(m);
    // Its envelope is out (the sink saw the recipient) before close() is called.
    await waitFor(async () => sink.offered.includes(m.to), 5_000, 5);
    await transport.close();
    await expect(inFlight).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
    expect(sink.received.map((r) => r.messageId)).toContain(m.messageId);
    await expect(transport.send(mail())).rejects.toThrow(/closed/);
  });

  it('upgrades with STARTTLS when the server offers it, checking the certificate unless ?tls=insecure', async () => {
    const sink = await sinkOf({ tls: 'starttls' });
    const refused = await transportOf(sink.url).send(mail()).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/self[- ]signed|certificate/i);
    expect(sink.received).toHaveLength(0);
    await transportOf(`${sink.url}?tls=insecure`).send(mail());
    expect(sink.secure).toEqual([true]);
  });

  it('?tls=required refuses a server that does not offer STARTTLS before any login or envelope, in both clients', async () => {
    // A man in the middle strips STARTTLS from EHLO: without the option the login and the mail would go in clear.
    for (const client of ['', '&client=nodemailer']) {
      const sink = await sinkOf({ auth: { user: 'herald', pass: 'secret' } });
      const err = await transportOf(`smtp://herald:secret@127.0.0.1:${sink.port}?tls=required${client}`).send(mail()).catch((e: unknown) => e);
      expect(err, client).toMatchObject({ code: 'ETLS' });
      expect(classifySmtpFailure(err), client).toBe('connection');
      expect(sink.logins, client).toEqual([]);
      expect(sink.offered, client).toEqual([]);
      expect(sink.received, client).toHaveLength(0);
    }
    const tlsSink = await sinkOf({ tls: 'starttls', auth: { user: 'herald', pass: 'secret' } });
    await transportOf(`smtp://herald:secret@127.0.0.1:${tlsSink.port}?tls=required&tls=insecure`).send(mail());
    expect(tlsSink.secure).toEqual([true]);
    expect(tlsSink.logins).toEqual(['PLAIN']);
  });

  it('speaks TLS from the first byte to an smtps: URL', async () => {
    const sink = await sinkOf({ tls: 'smtps' });
    expect(sink.url).toMatch(/^smtps:/);
    await transportOf(`${sink.url}?tls=insecure`).send(mail());
    expect(sink.secure).toEqual([true]);
  });

  it('logs in with AUTH PLAIN, or LOGIN when that is all the server offers, after STARTTLS', async () => {
    for (const methods of [['PLAIN', 'LOGIN'], ['LOGIN']]) {
      const sink = await sinkOf({ tls: 'starttls', auth: { user: 'herald', pass: 'p@ss:word', methods } });
      const transport = transportOf(`smtp://herald:${encodeURIComponent('p@ss:word')}@127.0.0.1:${sink.port}?tls=insecure`);
      await transport.send(mail());
      await transport.send(mail());
      expect(sink.logins).toEqual([methods[0]]);
      expect(sink.secure).toEqual([true, true]);
    }
  });

  it('refused credentials are a connection failure of the transport (EAUTH), never a refusal of the message', async () => {
    const sink = await sinkOf({ auth: { user: 'herald', pass: 'right' } });
    const err = await transportOf(`smtp://herald:wrong@127.0.0.1:${sink.port}`).send(mail()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentEmailError);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(classifySmtpFailure(err)).toBe('connection');
    expect(sink.offered).toEqual([]);
  });

  it('a server offering only mechanisms the client does not speak (CRAM-MD5) gets the message through nodemailer, once', async () => {
    const sink = await sinkOf({ auth: { user: 'herald', pass: 'secret', methods: ['CRAM-MD5'] } });
    const transport = transportOf(`smtp://herald:secret@127.0.0.1:${sink.port}`);
    const first = mail();
    await transport.send(first);
    await transport.send(mail());
    expect(sink.logins).toEqual(['CRAM-MD5']);
    expect(sink.received.map((r) => r.messageId)[0]).toBe(first.messageId);
    expect(sink.received).toHaveLength(2);
  });

  it('a refused connection and a server that never greets fail within the timeout as connection failures', async () => {
    const sink = await sinkOf();
    await sink.stall();
    const started = Date.now();
    const stalled = await transportOf(sink.url).send(mail()).catch((e: unknown) => e);
    expect((stalled as Error).message).toMatch(/greeting/i);
    expect(classifySmtpFailure(stalled)).toBe('connection');
    expect(Date.now() - started).toBeLessThan(4_000);
    await sink.stop();
    const refused = await transportOf(sink.url).send(mail()).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
    expect(classifySmtpFailure(refused)).toBe('connection');
  });
});
