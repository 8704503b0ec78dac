import { waitFor } from '../../src/platform/net.js';
import type { Session } from './context.js';

export interface Frame { id?: string; event?: string; data?: string; retry?: string; comment?: string }

const parseFrame = (text: string): Frame => {
  const frame: Frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const [, field, value] = /^(\w+): ?(.*)$/.exec(line) ?? [];
    if (field === 'id' || field === 'event' || field === 'data' || field === 'retry') frame[field] = value;
  }
  return frame;
};

/** An SSE client over fetch that collects the frames it receives (and their bytes). */
export class SseClient {
  readonly frames: Frame[] = [];
  ended = false;
  bytes = 0;
  private cursor = 0;

  private constructor(readonly res: Response, private readonly abort: AbortController) {}

  static async open(base: string, as: Session | null, opts: { lastEventId?: string; query?: string } = {}): Promise<SseClient> {
    const abort = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (as) headers.authorization = `Bearer ${as.token}`;
    if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
    const res = await fetch(`${base}/api/notifications/stream${opts.query ?? ''}`, { headers, signal: abort.signal });
    const client = new SseClient(res, abort);
    if (res.ok) void client.pump();
    return client;
  }

  private async pump(): Promise<void> {
    const reader = this.res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += chunk.value;
        this.bytes += Buffer.byteLength(chunk.value);
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          this.frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch { /* aborted */ }
    this.ended = true;
  }

  events(): Frame[] {
    return this.frames.filter((f) => f.event);
  }

  /** The next event (of that name, skipping others), waiting for it. */
  async next(event?: string, timeoutMs = 10_000): Promise<Frame> {
    const found = await waitFor(async () => {
      const skip = (f: Frame) => !f.event || (event !== undefined && f.event !== event);
      while (this.cursor < this.frames.length && skip(this.frames[this.cursor]!)) this.cursor++;
      return this.cursor < this.frames.length;
    }, timeoutMs, 10);
    if (!found) throw new Error(`no SSE event within ${timeoutMs} ms (status ${this.res.status}, ended ${this.ended}); frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
    return this.frames[this.cursor++]!;
  }

  /** Until the server ended the stream. */
  async endedWithin(timeoutMs = 5_000): Promise<boolean> {
    return waitFor(async () => this.ended, timeoutMs, 10);
  }

  close(): void {
    this.abort.abort();
  }
}
