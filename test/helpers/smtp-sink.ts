import net from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/platform/net.js';
import { openResources } from './resources.js';

export interface ReceivedMail {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly messageId: string;
  /** Raw header values by lower-case name, as sent (unfolded). */
  readonly headers: Map<string, string>;
  readonly html: string;
  readonly text: string;
}

/**
 * A real SMTP server in the test process: accepts mail over TCP like any relay, parses what it
 * received, and can be stopped and restarted on the same port to play an outage. Recipients at
 * `reject.test` are refused with 550 (a permanent failure). failNext() answers a run of 4xx,
 * stall() plays a hung server; a message still in DATA when the sink stops is not recorded (its
 * client never heard 250), so counting `received` across sinks shows what was really accepted.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Every recipient offered (RCPT TO), accepted or refused: shows which server was tried at all. */
  readonly offered: string[] = [];
  private server: SMTPServer | null = null;
  /** stall(): a listener that accepts connections and never says a word. */
  private silent: net.Server | null = null;
  private readonly silentSockets = new Set<net.Socket>();
  /** failNext(): the next messages are answered with this temporary failure instead of 250. */
  private failures: { count: number; code: number } = { count: 0, code: 451 };
  /** dropAfterData(): the next messages are kept, then their connection is cut before the 250. */
  private drops = 0;
  /** dropAtMailFrom(): the next sessions are cut when MAIL FROM arrives (a server closing an idle connection). */
  private mailFromDrops = 0;
  port = 0;

  /**
   * Replies by recipient address (lower-cased), changeable while the sink runs: `rcpt` refuses the
   * RCPT TO (e.g. '550 5.1.1 User unknown'), `data` refuses the message after its DATA (e.g.
   * '552 5.3.4 Message too big'). Give the whole reply; with `plainReplies` the sink adds no
   * enhanced status code of its own (smtp-server adds one per reply code otherwise).
   */
  readonly answers = new Map<string, { rcpt?: string; data?: string }>();

  /** With `wire`: what clients sent, chunk by chunk as each arrived (plain connections only). */
  readonly wire: string[] = [];
  /** Whether each accepted message's session was encrypted (smtps: or after STARTTLS), in `received` order. */
  readonly secure: boolean[] = [];

  /**
   * `delayMs`: a slow server, answering each message's DATA that long after receiving it.
   * `pipelining: false`: EHLO does not offer PIPELINING. `tls`: 'starttls' offers STARTTLS,
   * 'smtps' speaks TLS from the first byte (smtp-server's self-signed localhost certificate).
   * `wire`: record the bytes clients send (`wire`).
   */
  constructor(private readonly options: {
    delayMs?: number; plainReplies?: boolean; pipelining?: boolean; tls?: 'starttls' | 'smtps'; wire?: boolean;
    /** Mail only after a login with these credentials, by one of `methods` (default PLAIN and LOGIN). */
    auth?: { user: string; pass: string; methods?: string[] };
  } = {}) {}

  /** Each successful login's mechanism (PLAIN, LOGIN, CRAM-MD5 …). */
  readonly logins: string[] = [];

  get url(): string {
    return `${this.options.tls === 'smtps' ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await this.unstall();
    this.port ||= await freePort();
    this.server = new SMTPServer({
      authOptional: !this.options.auth,
      authMethods: this.options.auth?.methods ?? ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        const want = this.options.auth;
        const ok = want && auth.username === want.user && (auth.method === 'CRAM-MD5' ? auth.validatePassword(want.pass) : auth.password === want.pass);
        if (!ok) return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
        this.logins.push(auth.method);
        callback(null, { user: auth.username });
      },
      disabledCommands: this.options.tls === 'starttls' ? [] : ['STARTTLS'],
      secure: this.options.tls === 'smtps',
      hidePIPELINING: this.options.pipelining === false,
      hideENHANCEDSTATUSCODES: this.options.plainReplies === true,
      logger: false,
      size: 10 * 1024 * 1024,
      onMailFrom: (_address, session, callback) => {
        if (this.mailFromDrops > 0) {
          this.mailFromDrops -= 1;
          return this.cut(session.id);
        }
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        this.offered.push(address.address);
        const answer = this.answers.get(address.address.toLowerCase())?.rcpt;
        if (answer) return callback(refusal(answer));
        if (address.address.endsWith('@reject.test')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        const server = this.server;
        simpleParser(stream).then(async (mail) => {
          if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
          // Stopped meanwhile: its connection is cut, the client never hears 250, so it was not accepted.
          if (this.server !== server) return callback(Object.assign(new Error('Shutting down'), { responseCode: 421 }));
          if (this.failures.count > 0) {
            this.failures.count -= 1;
            return callback(Object.assign(new Error('Try again later'), { responseCode: this.failures.code }));
          }
          const answer = session.envelope.rcptTo.map((r) => this.answers.get(r.address.toLowerCase())?.data).find(Boolean);
          if (answer) return callback(refusal(answer));
          this.secure.push(session.secure === true);
          this.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: mail.subject ?? '',
            messageId: mail.messageId ?? '',
            headers: new Map(mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim()])),
            html: typeof mail.html === 'string' ? mail.html : '',
            text: mail.text ?? '',
          });
          if (this.drops > 0) {
            this.drops -= 1;
            // Kept, but the client never hears 250: it cannot know the message was accepted.
            return this.cut(session.id);
          }
          callback();
        }, callback);
      },
    });
    this.server.on('error', () => undefined);
    if (this.options.wire) {
      (this.server as unknown as { server: net.Server }).server.on('connection', (socket: net.Socket) => socket.on('data', (chunk: Buffer) => this.wire.push(chunk.toString('latin1'))));
    }
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    openResources.add(`smtp sink ${this.port}`);
    return this;
  }

  /** Stops accepting connections and drops open ones (an SMTP outage). */
  async stop(): Promise<void> {
    await this.unstall();
    const server = this.server;
    this.server = null;
    if (!server) return;
    // smtp-server waits for clients to quit; the pooled transport never does, so cut them.
    for (const connection of (server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections ?? []) connection._socket?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    openResources.delete(`smtp sink ${this.port}`);
  }

  /** The next `count` messages are refused with `code` (a 4xx: busy, greylisting) after their DATA. */
  failNext(count: number, code = 451): void {
    this.failures = { count, code };
  }

  /** The next `count` messages are kept (in `received`) but their connection is cut before the answer: an ambiguous failure. */
  dropAfterData(count: number): void {
    this.drops = count;
  }

  /** The next `count` sessions' connections are cut when their MAIL FROM arrives, before any answer. */
  dropAtMailFrom(count: number): void {
    this.mailFromDrops = count;
  }

  private cut(sessionId: string): void {
    const connections = (this.server as unknown as { connections?: Set<{ id: string; _socket?: { destroy(): void } }> } | null)?.connections ?? [];
    for (const c of connections) if (c.id === sessionId) c._socket?.destroy();
  }

  /**
   * A hung server: stops the SMTP server and listens on its port with a socket that accepts
   * connections and never answers (clients hit their greeting timeout). `start()` undoes it.
   */
  async stall(): Promise<void> {
    await this.stop();
    this.silent = net.createServer((socket) => {
      this.silentSockets.add(socket);
      socket.on('close', () => this.silentSockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.silent!.listen(this.port, '127.0.0.1', resolve));
    openResources.add(`smtp sink ${this.port} (stalled)`);
  }

  private async unstall(): Promise<void> {
    const silent = this.silent;
    this.silent = null;
    if (!silent) return;
    for (const socket of this.silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    openResources.delete(`smtp sink ${this.port} (stalled)`);
  }

  mailbox(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address));
  }
}

/** '550 5.1.1 User unknown' as smtp-server's error: the code as responseCode, the rest as the text. */
function refusal(reply: string): Error {
  const m = /^(\d{3})\s+(.*)$/.exec(reply);
  return Object.assign(new Error(m ? m[2] : reply), { responseCode: m ? Number(m[1]) : 550 });
}
