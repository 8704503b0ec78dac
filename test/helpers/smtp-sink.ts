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
 * `reject.test` are refused with 550 (a permanent failure).
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  port = 0;

  /**
   * Replies by recipient address (lower-cased), changeable while the sink runs: `rcpt` refuses the
   * RCPT TO (e.g. '550 5.1.1 User unknown'), `data` refuses the message after its DATA (e.g.
   * '552 5.3.4 Message too big'). Give the whole reply; with `plainReplies` the sink adds no
   * enhanced status code of its own (smtp-server adds one per reply code otherwise).
   */
  readonly answers = new Map<string, { rcpt?: string; data?: string }>();

  /** `delayMs`: a slow server, answering each message's DATA that long after receiving it. */
  constructor(private readonly options: { delayMs?: number; plainReplies?: boolean } = {}) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      hideENHANCEDSTATUSCODES: this.options.plainReplies === true,
      logger: false,
      size: 10 * 1024 * 1024,
      onRcptTo: (address, _session, callback) => {
        const answer = this.answers.get(address.address.toLowerCase())?.rcpt;
        if (answer) return callback(refusal(answer));
        if (address.address.endsWith('@reject.test')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(async (mail) => {
          if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
          const answer = session.envelope.rcptTo.map((r) => this.answers.get(r.address.toLowerCase())?.data).find(Boolean);
          if (answer) return callback(refusal(answer));
          this.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: mail.subject ?? '',
            messageId: mail.messageId ?? '',
            headers: new Map(mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim()])),
            html: typeof mail.html === 'string' ? mail.html : '',
            text: mail.text ?? '',
          });
          callback();
        }, callback);
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    openResources.add(`smtp sink ${this.port}`);
    return this;
  }

  /** Stops accepting connections and drops open ones (an SMTP outage). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // smtp-server waits for clients to quit; the pooled transport never does, so cut them.
    for (const connection of (server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections ?? []) connection._socket?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    openResources.delete(`smtp sink ${this.port}`);
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
