import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { log } from './database.js';

/** Wall-clock milliseconds with sub-millisecond precision (comparable with PostgreSQL's now()). */
export const wallMs = () => performance.timeOrigin + performance.now();

const NOTIFICATION_HEADER = /^x-herald-notification:[ \t]*([0-9a-f-]{36})/im;
const MESSAGE_ID = /^message-id:[ \t]*<notification\.([0-9a-f-]{36})@/im;

/**
 * An SMTP server that only counts: each message is read to its end (no parsing), its arrival time
 * recorded, and the notification it carries (X-Herald-Notification, else the Message-ID
 * `<notification.<id>@…>`) noted. Cheap enough not to be the bottleneck of what it measures.
 */
export class CountingSink {
  /** Messages accepted, duplicates included. */
  count = 0;
  /** Notification id → arrival time of its first message. */
  readonly firstArrival = new Map<string, number>();
  /** Messages carrying a notification id seen before. */
  duplicates = 0;
  /** Messages without a recognisable notification id. */
  unmatched = 0;
  private server: SMTPServer | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  reset(): void {
    this.count = 0;
    this.duplicates = 0;
    this.unmatched = 0;
    this.firstArrival.clear();
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 16_384 && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
        });
        stream.on('end', () => {
          const at = wallMs();
          this.count++;
          const headers = head.slice(0, Math.max(0, head.indexOf('\r\n\r\n')) || head.length);
          const id = NOTIFICATION_HEADER.exec(headers)?.[1] ?? MESSAGE_ID.exec(headers)?.[1];
          if (!id) this.unmatched++;
          else if (this.firstArrival.has(id)) this.duplicates++;
          else this.firstArrival.set(id, at);
          callback();
        });
      },
    });
    this.server.on('error', (err) => log(`sink error: ${err.message}`));
    // The pooled client never QUITs; keep the sockets so stop() can cut them.
    (this.server as unknown as { server: import('node:net').Server }).server.on('connection', (socket: Socket) => {
      // The sink answers without Nagle's delay too, so it is never what a measurement waits for.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = ((this.server as unknown as { server: import('node:net').Server }).server.address() as { port: number }).port;
    return this;
  }

  /** Resolves true once `count()` reaches `target`, false after `timeoutMs`; logs progress. */
  async waitFor(label: string, target: number, timeoutMs: number, count: () => number = () => this.count): Promise<boolean> {
    const started = performance.now();
    let lastLog = started;
    while (count() < target) {
      const now = performance.now();
      if (now - started > timeoutMs) return false;
      if (now - lastLog > 2_000) {
        const seconds = (now - started) / 1000;
        log(`${label}: ${count().toLocaleString('en')}/${target.toLocaleString('en')} emails after ${seconds.toFixed(1)} s (${Math.round(count() / seconds)}/s)`);
        lastLog = now;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
