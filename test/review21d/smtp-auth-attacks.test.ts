import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySmtpFailure } from '../../src/platform/email/circuit-breaker.rules.js';
import { freePort, waitFor } from '../../src/platform/net.js';
import { createSmtpTransport, type MailTransport, type OutgoingMail } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Review of issue 21 (e65807c, herald's SMTP client logs in with PLAIN or LOGIN), as an attacker
 * and a scheduler of races: a burst against a relay offering only CRAM-MD5 (the switch to
 * nodemailer while other messages are on their way through herald's client), credentials with
 * ':', '@', '%' and non-ASCII, and scripted servers that loop on 334 or say 235 unasked. The
 * password never appears in an error (message, response, anything serialised).
 */

const sinks: SmtpSink[] = [];
const transports: MailTransport[] = [];
const servers: net.Server[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(sinks.splice(0).map((s) => s.stop()));
  for (const s of servers.splice(0)) s.close();
});

async function sinkOf(options: ConstructorParameters<typeof SmtpSink>[0] = {}): Promise<SmtpSink> {
  const sink = await new SmtpSink(options).start();
  sinks.push(sink);
  return sink;
}

function transportOf(url: string, maxConnections = 1): MailTransport {
  const transport = createSmtpTransport(url, { maxConnections, timeoutMs: 1_000 });
  transports.push(transport);
  return transport;
}

const mail = (): OutgoingMail => {
  n += 1;
  return { from: 'Herald <no-reply@herald.test>', to: `r${n}@mail.test`, subject: `s${n}`, html: `<p>${n}</p>`, text: `t${n}`, headers: {}, messageId: `<d${n}.${Date.now()}@herald.test>` };
};

/** A scripted SMTP server: `answer` gets each line the client sends and returns the reply (or null for none). */
async function scripted(ehlo: string, answer: (line: string) => string | null): Promise<{ port: number; lines: string[] }> {
  const port = await freePort();
  const lines: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.write('220 scripted ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let at: number;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        lines.push(line);
        const reply = /^EHLO /i.test(line) ? ehlo : answer(line);
        if (reply !== null) socket.write(reply);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, lines };
}

const secretOf = (err: unknown) => JSON.stringify({ message: (err as Error).message, stack: (err as Error).stack, ...(err as object) });

describe('herald SMTP client AUTH under attack (review of issue 21)', () => {
  it('a burst against a CRAM-MD5-only relay sends every message once, none failed by the switch to nodemailer', async () => {
    const sink = await sinkOf({ auth: { user: 'herald', pass: 'secret', methods: ['CRAM-MD5'] } });
    const transport = transportOf(`smtp://herald:secret@127.0.0.1:${sink.port}`, 3);
    const mails = Array.from({ length: 12 }, () => mail());
    const results = await Promise.allSettled(mails.map((m) => transport.send(m)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(sink.received.map((r) => r.messageId).sort()).toEqual(mails.map((m) => m.messageId).sort());
  });

  it('a message cut after its DATA on a logged-in connection while another connection switches the transport is not sent again through nodemailer', async () => {
    // Servers behind one address that disagree (the first session offers PLAIN, the later ones only
    // CRAM-MD5): the switch must hand nodemailer only what our client never sent.
    const port = await freePort();
    const sockets: net.Socket[] = [];
    const closed: number[] = [];
    const messages: string[] = [];
    const server = net.createServer((socket) => {
      const k = sockets.push(socket) - 1;
      let buffer = '';
      let data: string[] | null = null;
      let challenged = false;
      socket.on('close', () => closed.push(k));
      socket.on('error', () => undefined);
      socket.write('220 scripted ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('latin1');
        let at: number;
        while ((at = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (data) {
            if (line !== '.') { data.push(line); continue; }
            messages.push(data.join('\n'));
            data = null;
            if (k !== 0) socket.write('250 queued\r\n'); // the first session's 250 never comes: it is cut below
            continue;
          }
          if (/^EHLO/i.test(line)) socket.write(k === 0 ? '250-scripted\r\n250 AUTH PLAIN\r\n' : '250-scripted\r\n250 AUTH CRAM-MD5\r\n');
          else if (/^AUTH PLAIN/i.test(line)) socket.write('235 ok\r\n');
          else if (/^AUTH CRAM-MD5/i.test(line)) { challenged = true; socket.write(`334 ${Buffer.from('<1.2@scripted>').toString('base64')}\r\n`); }
          else if (challenged) { challenged = false; socket.write('235 ok\r\n'); }
          else if (/^DATA/i.test(line)) { data = []; socket.write('354 go\r\n'); }
          else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const transport = transportOf(`smtp://herald:secret@127.0.0.1:${port}`, 2);
    const first = mail();
    const second = mail();
    const firstSent = transport.send(first).then(() => 'sent', (e: unknown) => e);
    expect(await waitFor(async () => messages.length === 1, 5_000, 5)).toBe(true);
    const secondSent = transport.send(second);
    // The second session refused our mechanisms and our client closed it: now cut the first before its 250.
    expect(await waitFor(async () => closed.includes(1), 5_000, 5)).toBe(true);
    sockets[0]!.destroy();
    await secondSent;
    expect(await firstSent).toBeInstanceOf(Error);
    expect(messages.filter((m) => m.includes(first.messageId))).toHaveLength(1);
    expect(messages.filter((m) => m.includes(second.messageId))).toHaveLength(1);
  });

  it("credentials with ':', '@', '%' and non-ASCII log in by PLAIN and by LOGIN", async () => {
    const user = 'hé:ra@ld';
    const pass = 'p@ss:wörd%20/?#✓';
    for (const methods of [['PLAIN', 'LOGIN'], ['LOGIN']]) {
      const sink = await sinkOf({ auth: { user, pass, methods } });
      await transportOf(`smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${sink.port}`).send(mail());
      expect(sink.logins).toEqual([methods[0]]);
      expect(sink.received).toHaveLength(1);
    }
  });

  it('a wrong password is EAUTH, a connection failure, and the password is in no part of the error', async () => {
    const pass = 'TopSecret-42';
    const sink = await sinkOf({ auth: { user: 'herald', pass: 'other' } });
    const err = await transportOf(`smtp://herald:${pass}@127.0.0.1:${sink.port}`).send(mail()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(classifySmtpFailure(err)).toBe('connection');
    const text = secretOf(err);
    expect(text).not.toContain(pass);
    expect(text).not.toContain(Buffer.from(`\u0000herald\u0000${pass}`).toString('base64'));
    expect(sink.offered).toEqual([]);
  });

  it('a wrong password through nodemailer (?client=nodemailer) and by LOGIN: EAUTH, and the password is in no part of the error', async () => {
    const pass = 'Other-Secret-7';
    for (const [methods, client] of [[['PLAIN', 'LOGIN'], '?client=nodemailer'], [['LOGIN'], ''], [['LOGIN'], '?client=nodemailer']] as const) {
      const sink = await sinkOf({ auth: { user: 'herald', pass: 'other', methods: [...methods] } });
      const err = await transportOf(`smtp://herald:${pass}@127.0.0.1:${sink.port}${client}`).send(mail()).catch((e: unknown) => e);
      expect(err, `${methods} ${client}`).toMatchObject({ code: 'EAUTH' });
      expect(classifySmtpFailure(err)).toBe('connection');
      expect(secretOf(err)).not.toContain(pass);
      expect(secretOf(err)).not.toContain(Buffer.from(pass).toString('base64'));
    }
  });

  it('a 3,000-character password is sent whole (PLAIN and LOGIN) or refused as a connection failure, never a refusal of the message', async () => {
    const pass = `L${'ö'.repeat(1_500)}${'x'.repeat(1_499)}`;
    for (const methods of [['PLAIN'], ['LOGIN']]) {
      const sink = await sinkOf({ auth: { user: 'herald', pass, methods } });
      const result = await transportOf(`smtp://herald:${encodeURIComponent(pass)}@127.0.0.1:${sink.port}`).send(mail()).catch((e: unknown) => e);
      if (result instanceof Error) {
        expect(classifySmtpFailure(result), String(methods)).toBe('connection');
        expect(secretOf(result)).not.toContain(pass.slice(0, 40));
      } else {
        expect(sink.logins).toEqual(methods);
      }
    }
  });

  it('a server answering 334 to everything ends in EAUTH within the timeout, no envelope, no password in the error', async () => {
    const server = await scripted('250-scripted\r\n250 AUTH LOGIN\r\n', () => '334 VXNlcm5hbWU6\r\n');
    const started = Date.now();
    const err = await transportOf(`smtp://herald:Loop-Secret@127.0.0.1:${server.port}`).send(mail()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.lines.filter((l) => /^(MAIL|RCPT|DATA)/.test(l))).toEqual([]);
    // AUTH LOGIN, the user, the password: three lines and no more.
    expect(server.lines.filter((l) => !/^EHLO|^QUIT/.test(l))).toHaveLength(3);
    expect(secretOf(err)).not.toContain('Loop-Secret');
    expect(secretOf(err)).not.toContain(Buffer.from('Loop-Secret').toString('base64'));
  });

  it('a server saying 235 to AUTH LOGIN unasked gets no credentials; the message goes as to any server', async () => {
    const server = await scripted('250-scripted\r\n250 AUTH LOGIN\r\n', (line) => {
      if (line === 'AUTH LOGIN') return '235 ok\r\n';
      if (line === 'DATA') return '354 go\r\n';
      if (line === '.') return '250 queued\r\n';
      if (/^(MAIL|RCPT)/.test(line)) return '250 ok\r\n';
      return /^[^.]/.test(line) && /^(RSET|QUIT)/.test(line) ? '250 ok\r\n' : null;
    });
    const sent = await transportOf(`smtp://herald:Early-Secret@127.0.0.1:${server.port}`).send(mail());
    expect(sent.response).toMatch(/^250/);
    expect(server.lines.join('\n')).not.toContain(Buffer.from('Early-Secret').toString('base64'));
    expect(server.lines.join('\n')).not.toContain(Buffer.from('herald').toString('base64'));
  });
});
