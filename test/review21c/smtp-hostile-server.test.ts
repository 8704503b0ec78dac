import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpClient } from '../../src/platform/email/smtp-client.js';
import { composeMessage } from '../../src/platform/email/mime.js';
import { dataOf, type SmtpError } from '../../src/platform/email/smtp.rules.js';

/**
 * Review of issue 21 (464c078, herald's own SMTP client) as an attacker: a scripted server on a
 * raw socket says what smtp-server never would. nodemailer, which the client replaced, discards
 * what a server sent in plaintext after its STARTTLS 220 (RFC 3207 §6) and drops a reply past
 * 1 MiB; the first two tests fail on 464c078. The others are guards for attacks that held.
 */

// smtp-server's self-signed localhost certificate (its package exports no subpath for it).
const require = createRequire(import.meta.url);
const { key, cert } = (require(path.resolve('node_modules/smtp-server/dist/cjs/tls-options.js')) as { default: () => tls.TlsOptions }).default();

type Session = { socket: net.Socket; write(text: string): void; lines: string[]; chunks: string[] };
type Script = (line: string, s: Session) => void;

const servers: net.Server[] = [];
const clients: SmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) s.close();
});

/** A server that greets, then hands every line the client sends (and its chunks) to `script`. */
async function serve(script: Script, greeting = '220 hostile.test ESMTP\r\n'): Promise<{ port: number; sessions: Session[] }> {
  const sessions: Session[] = [];
  const server = net.createServer((socket) => {
    const s: Session = { socket, write: (t) => void (socket.destroyed || socket.write(t)), lines: [], chunks: [] };
    sessions.push(s);
    listen(s, socket, script);
    socket.on('error', () => undefined);
    s.write(greeting);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, sessions };
}

function listen(s: Session, from: net.Socket | tls.TLSSocket, script: Script): void {
  let buffered = '';
  from.on('data', (chunk: Buffer) => {
    s.chunks.push(chunk.toString('latin1'));
    buffered += chunk.toString('latin1');
    for (let at = buffered.indexOf('\r\n'); at >= 0; at = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 2);
      s.lines.push(line);
      script(line, s);
    }
  });
}

function clientOf(port: number, timeoutMs = 2_000, rejectUnauthorized = true): SmtpClient {
  const c = new SmtpClient({ host: '127.0.0.1', port, secure: false, rejectUnauthorized, maxConnections: 1, timeoutMs });
  clients.push(c);
  return c;
}

const RAW = 'Subject: hi\r\n\r\nbody\r\n';

/** An SMTP session that accepts everything (DATA's content ends at the lone '.'). */
function accepting(extra: Record<string, string> = {}): Script {
  let inData = false;
  return (line, s) => {
    if (inData) {
      if (line === '.') {
        inData = false;
        s.write('250 2.0.0 queued\r\n');
      }
      return;
    }
    const verb = line.split(/[ :]/)[0]!.toUpperCase();
    if (extra[verb]) return s.write(extra[verb]!);
    if (verb === 'EHLO') return s.write('250-hostile.test\r\n250 PIPELINING\r\n');
    if (verb === 'DATA') {
      inData = true;
      return s.write('354 go ahead\r\n');
    }
    s.write(verb === 'QUIT' ? '221 bye\r\n' : '250 OK\r\n');
  };
}

describe('herald SMTP client against a hostile server (review of issue 21)', () => {
  it('discards what the server sent in plaintext after its STARTTLS 220: a man in the middle cannot add to the TLS session\'s replies', async () => {
    const seenOverTls: string[] = [];
    const { port } = await serve((line, s) => {
      if (/^EHLO/i.test(line)) return s.write('250-hostile.test\r\n250 STARTTLS\r\n');
      if (line !== 'STARTTLS') return s.write('250 OK\r\n');
      s.socket.removeAllListeners('data');
      // The injection: a reply's first lines, unfinished, behind the 220 in the same packet. Once
      // the client's EHLO over TLS is answered, they would make its keywords say PIPELINING.
      s.socket.write('220 2.0.0 go ahead\r\n250-injected\r\n250-PIPELINING\r\n');
      const secure = new tls.TLSSocket(s.socket, { isServer: true, key, cert });
      secure.on('error', () => undefined);
      const inner: Session = { socket: s.socket, write: (t) => void (secure.destroyed || secure.write(t)), lines: seenOverTls, chunks: [] };
      let inData = false;
      listen(inner, secure, (l, t) => {
        if (inData) {
          if (l === '.') {
            inData = false;
            t.write('250 queued\r\n');
          }
          return;
        }
        // The real server over TLS offers no PIPELINING and checks that it gets one command at a time.
        if (/^EHLO/i.test(l)) return t.write('250 hostile.test\r\n');
        if (t.chunks.at(-1)!.split('\r\n').length > 2) return t.write('554 5.5.0 pipelined without PIPELINING\r\n');
        if (l === 'DATA') {
          inData = true;
          return t.write('354 go\r\n');
        }
        t.write('250 OK\r\n');
      });
    });
    const response = await clientOf(port, 2_000, false).send('a@herald.test', ['b@mail.test'], RAW);
    expect(response).toBe('250 queued');
    expect(seenOverTls.filter((l) => /^(MAIL|RCPT|DATA)/.test(l))).toEqual(['MAIL FROM:<a@herald.test>', 'RCPT TO:<b@mail.test>', 'DATA']);
  });

  for (const shape of ['a reply of continuation lines', 'one line']) {
    it(`gives up on a server whose reply never ends (${shape}) once it passes 1 MiB, and closes the connection`, async () => {
      let written = 0;
      let closedAt = -1;
      const { port } = await serve((line, s) => {
        if (!/^EHLO/i.test(line)) return;
        s.socket.on('close', () => (closedAt = written));
        const piece = shape === 'one line' ? '250 ' + 'x'.repeat(16 * 1024 - 4) : ('250-' + 'x'.repeat(1018) + '\r\n').repeat(16);
        // 8 MiB at most, as fast as the client reads it, never ending the reply.
        const pump = (): void => {
          while (written < 8 * 1024 * 1024 && !s.socket.destroyed) {
            written += piece.length;
            if (!s.socket.write(piece)) return void s.socket.once('drain', pump);
          }
        };
        pump();
      });
      const started = Date.now();
      const err = await clientOf(port, 1_000).send('a@herald.test', ['b@mail.test'], RAW).catch((e: SmtpError) => e) as SmtpError;
      expect([err.code, err.message]).toEqual(['EPROTOCOL', expect.stringMatching(/exceeds/)]);
      // It stopped reading near the limit, not at the socket's 3 s idle time-out.
      expect(Date.now() - started).toBeLessThan(2_500);
      await expect.poll(() => closedAt).toBeGreaterThan(0);
      expect(closedAt).toBeLessThan(4 * 1024 * 1024);
    });
  }

  // Guards: attacks that held on 464c078.

  for (const dataAnswer of ['503 5.5.1 No valid recipients', '354 go ahead anyway']) {
    it(`sends no byte of the message after a pipelined envelope whose only recipient was refused (DATA answered ${dataAnswer.slice(0, 3)}), and resets the session`, async () => {
      const { port, sessions } = await serve(accepting({ RCPT: '550 5.1.1 no such user\r\n', DATA: `${dataAnswer}\r\n` }));
      const client = clientOf(port);
      const err = await client.send('a@herald.test', ['gone@mail.test'], 'X-Body-Marker: 1\r\n\r\nRCPT TO:<victim@else.test>\r\n').catch((e: SmtpError) => e) as SmtpError;
      expect([err.code, err.command, err.responseCode]).toEqual(['EENVELOPE', 'RCPT TO', 550]);
      const lines = sessions[0]!.lines;
      await expect.poll(() => lines.at(-1)).toBe('RSET');
      expect(lines.some((l) => l.includes('Marker') || l.includes('victim'))).toBe(false);
      // After a 354 the transaction is ended by an empty message, nothing else.
      expect(lines.slice(lines.indexOf('DATA') + 1)).toEqual(dataAnswer.startsWith('354') ? ['.', 'RSET'] : ['RSET']);
    });
  }

  it('takes replies without text (a bare code), and the answer to the end of data is what the server said', async () => {
    const { port } = await serve((line, s) => {
      if (/^EHLO/i.test(line)) return s.write('250-x\r\n250 PIPELINING\r\n');
      if (line === 'DATA') return s.write('354\r\n');
      s.write('250\r\n');
    });
    expect(await clientOf(port).send('a@herald.test', ['b@mail.test'], RAW)).toBe('250');
  });

  it('what mime.ts composes cannot end DATA early or smuggle a second message: no bare CR or LF, one lone dot line, at the end', () => {
    const text = 'a\r.\r\nMAIL FROM:<x@evil.test>\n.\nRCPT TO:<v@else.test>\r\n.\r\nDATA\r\n..\n.';
    const composed = composeMessage({ from: 'Herald <no-reply@herald.test>', to: 'r@mail.test', subject: 'hi\r\n.\r\nRCPT TO:<v@else.test>', html: text, text,
      headers: { 'X-Note': 'a\r\n.\r\nQUIT' }, messageId: '<m1@herald.test>' }, { date: new Date(0), boundary: 'b' })!;
    const data = dataOf(composed.raw);
    expect(data.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(data.indexOf('\r\n.\r\n')).toBe(data.length - 5);
    // An address with a line break or angle brackets is not composed (nodemailer's composer refuses it), so never reaches MAIL FROM / RCPT TO.
    for (const to of ['v@else.test>\r\nRCPT TO:<w@else.test', 'a@b\r\nDATA', '<a@b>', 'a@b>']) {
      expect(composeMessage({ from: 'no-reply@herald.test', to, subject: 's', html: 'h', text: 't', headers: {}, messageId: '<m2@herald.test>' }, { date: new Date(0), boundary: 'b' })?.envelope.to ?? null)
        .not.toEqual(expect.arrayContaining([expect.stringMatching(/[\r\n<>]/)]));
    }
  });
});
