import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
  readonly at: number;
}

/** What the receiver answers: a status (with an optional Location), or 'hang' (never answers). */
export type Behaviour = number | 'hang' | { status: number; location?: string; body?: string };

/**
 * A local webhook receiver (node:http) that fails on purpose: `behave` decides each answer (by
 * the request), every request is kept with its raw body and what it was answered.
 */
export class Receiver {
  readonly received: Received[] = [];
  behave: (req: { headers: http.IncomingHttpHeaders; body: string }) => Behaviour = () => 200;
  private server: http.Server | null = null;
  private readonly hung = new Set<http.ServerResponse>();
  port = 0;

  constructor(private readonly fixedPort = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const b = this.behave({ headers: req.headers, body });
        if (b === 'hang') {
          this.received.push({ headers: req.headers, body, status: 0, at: Date.now() });
          this.hung.add(res);
          return;
        }
        const { status, location, body: answer } = typeof b === 'number' ? { status: b, location: undefined, body: undefined } : b;
        this.received.push({ headers: req.headers, body, status, at: Date.now() });
        res.writeHead(status, location ? { location } : {}).end(answer ?? (status < 300 ? 'ok' : `failing on purpose: ${status}`));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.fixedPort || this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the port (connections refused until start() again on the same port). */
  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The requests answered 2xx. */
  get accepted(): Received[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }
}
