import net from 'node:net';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { authMechanism, dataOf, ehloKeywords, envelopeError, MAX_REPLY, ReplyReader, smtpError, type SmtpError, type SmtpReply } from './smtp.rules.js';

/**
 * herald's own pooled SMTP client for the messages mime.ts composes (issue 21). nodemailer's
 * client was a third of a digest worker's CPU (its stream pipeline, dot-stuffing transform,
 * envelope parsing, per-message AbortController); a message here is one write of the envelope
 * (MAIL FROM, RCPT TO and DATA together when the server offers PIPELINING, RFC 2920; one by one
 * when it does not) and one write of the dot-stuffed message with its end.
 *
 * It keeps what nodemailer's pool did for us: TLS (smtps:, and STARTTLS whenever the server
 * offers it, certificates checked unless `?tls=insecure`), the timeouts (connecting and the
 * greeting SMTP_TIMEOUT_MS, any reply three times that, which also closes an idle connection), a
 * refused message's RSET keeping its connection, and a message that found its reused connection
 * closed by the server before a byte of it was sent going out on a fresh one. Errors have
 * nodemailer's shape (smtp.rules.ts), so failover, breakers and bounce rules read them as before.
 * AUTH is PLAIN or LOGIN (after STARTTLS when offered); transport.ts gives a server that offers
 * neither to nodemailer.
 */

export interface SmtpClientOptions {
  readonly host: string;
  readonly port: number;
  /** smtps: TLS from the first byte. Otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly rejectUnauthorized: boolean;
  /**
   * `?tls=required`: a server that does not offer STARTTLS on smtp: is refused (ETLS, a connection
   * failure: the next transport) before any envelope or login goes out. Without it, as nodemailer's
   * default, such a server gets the mail in clear: a man in the middle can strip STARTTLS.
   */
  readonly requireTls?: boolean;
  readonly maxConnections: number;
  /** Connecting and the greeting; a reply (and an idle connection) may take three times that. */
  readonly timeoutMs: number;
  /** SMTP AUTH (PLAIN or LOGIN) after STARTTLS when offered; a server offering neither fails with `unsupportedAuth`. */
  readonly auth?: { readonly user: string; readonly pass: string };
}

/** What EHLO names us: the host name when it is a domain, else our address literal (as nodemailer). */
const HELLO_NAME = ((): string => {
  try {
    const name = os.hostname().replace(/[\r\n\s]+/g, '');
    return name.includes('.') ? name : '[127.0.0.1]';
  } catch {
    return '[127.0.0.1]';
  }
})();

type Waiter = { resolve(reply: SmtpReply): void; reject(err: Error): void };

/** One SMTP session: a socket, the replies it is waiting for, and what the server offered. */
class Connection {
  private socket: net.Socket | null = null;
  private decoder = new StringDecoder('utf8');
  private reader = new ReplyReader();
  private readonly waiters: Waiter[] = [];
  private failure: SmtpError | null = null;
  private readonly failed: Promise<never>;
  private rejectFailed: (err: Error) => void = () => undefined;
  private keywords = new Set<string>();
  private ehlo: SmtpReply | null = null;
  /** Messages this connection carried (accepted or refused). */
  used = 0;
  /** Whether the current message's content went out: until then no server can have it. */
  dataWritten = false;

  constructor(private readonly o: SmtpClientOptions, private readonly onGone: (c: Connection) => void) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
  }

  get dead(): boolean {
    return this.failure !== null;
  }

  /** Connects, reads the greeting, says EHLO and, when offered (and not smtps:), upgrades with STARTTLS. */
  async open(): Promise<void> {
    const { host, port, secure, rejectUnauthorized } = this.o;
    const socket = secure ? tls.connect({ host, port, rejectUnauthorized, ...sni(host) }) : net.connect({ host, port });
    this.attach(socket);
    await this.within('Connection timeout', new Promise((resolve) => socket.once(secure ? 'secureConnect' : 'connect', resolve)));
    const greeting = await this.within('Greeting never received', this.reply());
    if (greeting.code !== 220) throw this.fail(smtpError('Invalid greeting from server', 'EPROTOCOL', greeting, 'CONN'));
    await this.hello();
    if (!secure && this.keywords.has('STARTTLS')) {
      const answer = await this.command('STARTTLS');
      if (answer.code !== 220) throw this.fail(smtpError('Error upgrading connection with STARTTLS', 'ETLS', answer, 'STARTTLS'));
      const upgraded = tls.connect({ socket, rejectUnauthorized, ...sni(host) });
      this.attach(upgraded);
      await this.within('TLS handshake timeout', new Promise((resolve) => upgraded.once('secureConnect', resolve)));
      await this.hello();
    } else if (!secure && this.o.requireTls) {
      throw this.fail(smtpError('Server does not offer STARTTLS and the URL requires TLS (?tls=required)', 'ETLS', null, 'STARTTLS'));
    }
    if (this.o.auth) await this.login(this.o.auth);
  }

  /** AUTH PLAIN or LOGIN; a refusal is EAUTH (our credentials: the transport is unusable, not the message). */
  private async login({ user, pass }: { user: string; pass: string }): Promise<void> {
    const mechanism = this.ehlo ? authMechanism(this.ehlo) : 'PLAIN';
    if (!mechanism) throw this.fail(Object.assign(smtpError('No AUTH mechanism this client speaks (PLAIN, LOGIN)', 'EAUTH', null, 'API'), { unsupportedAuth: true }));
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    let answer: SmtpReply;
    if (mechanism === 'PLAIN') {
      answer = await this.command(`AUTH PLAIN ${b64(`\u0000${user}\u0000${pass}`)}`);
    } else {
      answer = await this.command('AUTH LOGIN');
      if (answer.code === 334) answer = await this.command(b64(user));
      if (answer.code === 334) answer = await this.command(b64(pass));
    }
    if (answer.code !== 235) throw this.fail(smtpError('Invalid login', 'EAUTH', answer, `AUTH ${mechanism}`));
  }

  /**
   * One message: the envelope (pipelined when offered), then its content once DATA was answered
   * 354. Resolves with the server's acceptance; rejects with a refusal in nodemailer's shape.
   */
  async send(from: string, to: readonly string[], raw: string): Promise<string> {
    this.dataWritten = false;
    this.used += 1;
    const commands = [`MAIL FROM:<${from}>`, ...to.map((r) => `RCPT TO:<${r}>`), 'DATA'];
    let mail: SmtpReply;
    const rcpts: SmtpReply[] = [];
    let data: SmtpReply;
    if (this.keywords.has('PIPELINING')) {
      const replies = commands.map(() => this.reply());
      this.write(`${commands.join('\r\n')}\r\n`);
      const all = await Promise.all(replies);
      mail = all[0]!;
      rcpts.push(...all.slice(1, -1));
      data = all[all.length - 1]!;
      const refused = envelopeError(mail, rcpts);
      if (refused) {
        if (data.code >= 300 && data.code < 400) {
          // DATA taken although nothing may follow: with the sender refused the session cannot be
          // trusted; with every recipient refused an empty message ends it and the session stays.
          if (mail.code >= 300) throw this.fail(refused);
          await this.command('.');
        }
        throw refused;
      }
    } else {
      mail = await this.command(commands[0]!);
      if (mail.code < 200 || mail.code >= 300) throw envelopeError(mail, [])!;
      for (const command of commands.slice(1, -1)) rcpts.push(await this.command(command));
      const refused = envelopeError(mail, rcpts);
      if (refused) throw refused;
      data = await this.command('DATA');
    }
    // Some servers answer DATA with 250 (nodemailer takes 2xx or 3xx too).
    if (data.code < 200 || data.code >= 400) throw smtpError('Data command failed', 'EENVELOPE', data, 'DATA');
    const accepted = this.reply();
    this.dataWritten = true;
    this.write(dataOf(raw));
    const done = await accepted;
    if (done.code < 200 || done.code >= 300) throw smtpError('Message failed', 'EMESSAGE', done, 'DATA');
    return done.text;
  }

  /** Ends a refused message's transaction so the connection can carry the next one. */
  async reset(): Promise<void> {
    const answer = await this.command('RSET');
    if (answer.code !== 250) throw this.fail(smtpError('Could not reset session state', 'EPROTOCOL', answer, 'RSET'));
  }

  /** Closes it for good: every reply still awaited fails with `err`. */
  fail(err: SmtpError): SmtpError {
    if (this.failure) return err;
    this.failure = err;
    this.socket?.destroy();
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.rejectFailed(err);
    this.onGone(this);
    return err;
  }

  private async hello(): Promise<void> {
    const ehlo = await this.command(`EHLO ${HELLO_NAME}`);
    if (ehlo.code === 250) {
      this.keywords = ehloKeywords(ehlo);
      this.ehlo = ehlo;
      return;
    }
    if (ehlo.code === 421) throw this.fail(smtpError('Server terminates connection', 'ECONNECTION', ehlo, 'EHLO'));
    const helo = await this.command(`HELO ${HELLO_NAME}`);
    if (helo.code !== 250) throw this.fail(smtpError('Invalid response for EHLO/HELO', 'EPROTOCOL', helo, 'HELO'));
    this.keywords = new Set();
  }

  private command(line: string): Promise<SmtpReply> {
    const reply = this.reply();
    this.write(`${line}\r\n`);
    return reply;
  }

  private reply(): Promise<SmtpReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private write(text: string): void {
    if (!this.failure) this.socket!.write(text);
  }

  /** `step`, or the connection's failure, or a time-out after SMTP_TIMEOUT_MS (which closes it). */
  private async within<T>(what: string, step: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.fail(smtpError(what, 'ETIMEDOUT', null, 'CONN'))), this.o.timeoutMs);
    });
    try {
      return await Promise.race([step, this.failed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads replies from `socket` from now on (the plain socket's listeners go with a STARTTLS
   * upgrade). What the plain socket sent after STARTTLS's 220 is dropped (RFC 3207 §6): a man in
   * the middle could otherwise start the first reply the TLS session reads (its EHLO keywords).
   */
  private attach(socket: net.Socket): void {
    this.socket?.removeAllListeners('data').removeAllListeners('close').removeAllListeners('timeout').setTimeout(0);
    this.socket = socket;
    this.decoder = new StringDecoder('utf8');
    this.reader = new ReplyReader();
    socket.setNoDelay(true);
    socket.setTimeout(this.o.timeoutMs * 3);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(Object.assign(err as SmtpError, { code: 'ECONNECTION', originalCode: err.code })));
    socket.on('close', () => this.fail(smtpError('Connection closed unexpectedly', 'ECONNECTION', null, 'CONN')));
    socket.on('timeout', () => this.fail(smtpError('Timeout', 'ETIMEDOUT', null, 'CONN')));
  }

  private onData(chunk: Buffer): void {
    const replies = this.reader.push(this.decoder.write(chunk));
    // A reply that never ends would grow until the worker runs out of memory (nodemailer's limit).
    if (this.reader.pending > MAX_REPLY || replies.some((r) => r.text.length > MAX_REPLY)) {
      this.fail(smtpError('Server response exceeds maximum allowed size', 'EPROTOCOL', null, 'CONN'));
      return;
    }
    for (const reply of replies) {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
      // Unasked: a server closing an idle connection says 421 first; anything else is ignored.
      else if (reply.code === 421) this.fail(smtpError('Server terminates connection', 'ECONNECTION', reply, 'CONN'));
    }
  }
}

function closedError(): SmtpError {
  return smtpError('Connection closed', 'ECONNECTION', null, 'CONN');
}

function sni(host: string): { servername?: string } {
  return net.isIP(host) === 0 ? { servername: host } : {};
}

/** Up to `maxConnections` sessions to one server, each carrying one message at a time. */
export class SmtpClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  /** Connections carrying a message: close() lets each finish it (as nodemailer's pool does). */
  private readonly busy = new Set<Connection>();
  private readonly queue: Array<{ resolve(c: Connection): void; reject(err: Error): void }> = [];
  private closed = false;

  constructor(private readonly o: SmtpClientOptions) {}

  /** Sends `raw` (CRLF line ends) from `from` to `to`; resolves with the server's acceptance. */
  async send(from: string, to: readonly string[], raw: string, retried = false): Promise<string> {
    // No connection, so no byte of this message went out (its login failed, the client closed while
    // it waited or opened): `unsent` lets the transport hand it to nodemailer without a second copy.
    const conn = await this.acquire().catch((err: unknown) => Promise.reject(Object.assign(err as Error, { unsent: true })));
    const reused = conn.used > 0;
    this.busy.add(conn);
    try {
      const response = await conn.send(from, to, raw);
      this.busy.delete(conn);
      this.release(conn);
      return response;
    } catch (err) {
      this.busy.delete(conn);
      const e = err as SmtpError;
      // A refusal of this message leaves the session usable once reset; anything else (and a 421,
      // the server closing) ends it.
      const refusal = (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421;
      if (!refusal) conn.fail(e);
      if (!conn.dead) {
        conn.reset().then(() => this.release(conn), () => undefined);
      } else if (reused && !conn.dataWritten && !retried && (e.responseCode === undefined || e.responseCode === 421)) {
        // A server closing a connection it had kept idle (its time-out) before a byte of this
        // message went out cannot have it: a fresh connection may carry it (once).
        return this.send(from, to, raw, true);
      }
      throw err;
    }
  }

  /**
   * Closes the idle connections (and those still opening) now, and each connection carrying a
   * message once that message is answered: cutting it could leave an accepted message unknown.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new Error('SMTP client closed'));
    for (const c of [...this.all]) if (!this.busy.has(c)) c.fail(closedError());
  }

  private acquire(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('SMTP client closed'));
    // The most recently used first: the least likely to have been closed by the server meanwhile.
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.o.maxConnections) return this.connect();
    return new Promise((resolve, reject) => this.queue.push({ resolve, reject }));
  }

  private async connect(): Promise<Connection> {
    const conn = new Connection(this.o, (c) => this.gone(c));
    this.all.add(conn);
    try {
      await conn.open();
    } catch (err) {
      conn.fail(err as SmtpError);
      throw err;
    }
    return conn;
  }

  private release(conn: Connection): void {
    if (conn.dead) return;
    if (this.closed) {
      conn.fail(closedError());
      return;
    }
    const next = this.queue.shift();
    if (next) next.resolve(conn);
    else this.idle.push(conn);
  }

  /** A connection closed (failed, timed out idle, closed by the server): a waiting message gets a new one. */
  private gone(conn: Connection): void {
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.closed ? undefined : this.queue.shift();
    if (next) this.connect().then(next.resolve, next.reject);
  }
}
