import { SMTPServer } from 'smtp-server';
import { freePort } from '../src/platform/net.js';
import type { MailRecord } from './stats.js';

/**
 * The drills' SMTP relay: a real smtp-server on 127.0.0.1, like test/helpers/smtp-sink.ts, but it
 * reads only the header block (Message-ID, X-Herald-Notification) instead of parsing every MIME
 * body with mailparser: tens of thousands of emails share two cores with the service under test,
 * and the verdict needs nothing else.
 */
export class DrillSmtpSink {
  readonly received: MailRecord[] = [];
  /** How long the server takes to answer each message (a slow relay); drills set it and put it back to 0. */
  delayMs = 0;
  private server: SMTPServer | null = null;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        let head = '';
        let done = false;
        stream.on('data', (chunk: Buffer) => {
          if (done) return;
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0) {
            head = head.slice(0, end);
            done = true;
          }
        });
        stream.on('end', () => {
          const headers = parseHeaders(head);
          const to = session.envelope.rcptTo.map((r) => r.address);
          const accept = () => {
            // Accepted only now: a message is "delivered" once the server answered 250 to it (even
            // if the client, stopped or killed meanwhile, never reads the answer).
            for (const address of to) {
              this.received.push({
                messageId: headers.get('message-id') ?? '', notificationId: headers.get('x-herald-notification') ?? null, to: address,
                digest: headers.get('x-herald-digest') ?? null,
              });
            }
            callback();
          };
          if (this.delayMs > 0) setTimeout(accept, this.delayMs);
          else accept();
        });
        stream.on('error', callback);
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // smtp-server waits for clients to QUIT; pooled transports never do, so cut them.
    for (const connection of (server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections ?? []) connection._socket?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Unfolded header values by lower-case name (first occurrence wins). */
export function parseHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}
