import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySmtpFailure } from '../../src/platform/email/circuit-breaker.rules.js';
import { freePort } from '../../src/platform/net.js';
import { createSmtpTransport, PermanentEmailError, type MailTransport, type OutgoingMail } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Review of issue 21 (705c094, ?tls=required; ETLS a connection failure): STARTTLS offered and
 * then refused (454, 554), and a TLS handshake that fails on the certificate, in herald's client
 * and nodemailer's. Each is a connection failure (failover, retry), never a permanent refusal of
 * the message, and neither the login nor an envelope goes out in clear after it.
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


const clients = ['', '&client=nodemailer'];

describe('STARTTLS refused or failing (review of issue 21)', () => {
  for (const code of [454, 554]) {
    it(`STARTTLS offered then answered ${code}: ETLS, a connection failure, nothing after it in clear, with and without ?tls=required`, async () => {
      for (const client of clients) {
        for (const required of ['', 'tls=required']) {
          const server = await scripted('250-scripted\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n', (line) => (line === 'STARTTLS' ? `${code} TLS not available\r\n` : /^QUIT/.test(line) ? '221 bye\r\n' : '250 ok\r\n'));
          const err = await transportOf(`smtp://herald:Tls-Secret@127.0.0.1:${server.port}?x=1&${required}${client}`).send(mail()).catch((e: unknown) => e);
          const what = `${code} ${required} ${client}`;
          expect(err, what).toMatchObject({ code: 'ETLS' });
          expect(err, what).not.toBeInstanceOf(PermanentEmailError);
          expect(classifySmtpFailure(err), what).toBe('connection');
          expect(server.lines.filter((l) => /^(AUTH|MAIL|RCPT|DATA)/.test(l)), what).toEqual([]);
        }
      }
    });
  }

  it('a STARTTLS handshake refusing the certificate (self-signed, no ?tls=insecure) is a connection failure; no login, no envelope', async () => {
    for (const client of clients) {
      const sink = await sinkOf({ tls: 'starttls', auth: { user: 'herald', pass: 'secret' } });
      const err = await transportOf(`smtp://herald:secret@127.0.0.1:${sink.port}?tls=required${client}`).send(mail()).catch((e: unknown) => e);
      expect(err, client).toBeInstanceOf(Error);
      expect(err, client).not.toBeInstanceOf(PermanentEmailError);
      expect(classifySmtpFailure(err), client).toBe('connection');
      expect(sink.logins, client).toEqual([]);
      expect(sink.offered, client).toEqual([]);
    }
  });

  it('smtps: with a certificate it cannot check is a connection failure in both clients', async () => {
    for (const client of clients) {
      const sink = await sinkOf({ tls: 'smtps', auth: { user: 'herald', pass: 'secret' } });
      const err = await transportOf(`smtps://herald:secret@127.0.0.1:${sink.port}?tls=required${client}`).send(mail()).catch((e: unknown) => e);
      expect(err, client).not.toBeInstanceOf(PermanentEmailError);
      expect(classifySmtpFailure(err), client).toBe('connection');
      expect(sink.logins, client).toEqual([]);
    }
  });
});
