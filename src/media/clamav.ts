import net from 'node:net';
import type { Readable } from 'node:stream';

/**
 * A clamd client speaking its INSTREAM protocol over TCP (`tcp://host:3310`) or a Unix socket
 * (`unix:///run/clamav/clamd.ctl`): the file is streamed to the daemon, nothing touches its disk.
 * Framing and reply parsing are pure; the socket handling is the thin part.
 */

export type ScanVerdict = { readonly clean: true } | { readonly clean: false; readonly signature: string };

export class ScannerError extends Error {
  /** permanent: retrying cannot help (the file exceeds clamd's StreamMaxLength, say). */
  constructor(message: string, readonly permanent = false) {
    super(message);
    this.name = 'ScannerError';
  }
}

export interface Scanner {
  readonly name: 'clamav';
  /** Where the daemon listens, for messages. */
  readonly address: string;
  scan(source: Readable, signal?: AbortSignal): Promise<ScanVerdict>;
  ping(timeoutMs?: number): Promise<boolean>;
}

/** One INSTREAM chunk: its length as 4 bytes big-endian, then the bytes. */
export function frameChunk(chunk: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(chunk.length);
  return Buffer.concat([header, chunk]);
}

/** A zero-length chunk ends the stream. */
export const END_OF_STREAM = Buffer.alloc(4);

/** clamd's reply to `zINSTREAM` (NUL-terminated) → a verdict; anything else is a ScannerError. */
export function parseScanReply(reply: string): ScanVerdict {
  const text = reply.replace(/\0+$/, '').trim();
  if (/^stream: OK$/.test(text)) return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { clean: false, signature: found[1]! };
  throw new ScannerError(`clamd answered: ${text || '(nothing)'}`, /size limit exceeded/i.test(text));
}

/** `tcp://host:port` or `unix:///path` → socket options. */
export function clamdAddress(url: string): net.NetConnectOpts {
  const u = new URL(url);
  if (u.protocol === 'unix:') return { path: decodeURIComponent(u.pathname) };
  if (u.protocol === 'tcp:') return { host: u.hostname, port: Number(u.port || 3310) };
  throw new Error(`CLAMAV_URL must be tcp://host:port or unix:///path, not ${url}`);
}

export interface ClamavOptions {
  /** CLAMAV_URL: `tcp://host:port` or `unix:///path`. */
  readonly url: string;
  /** A scan fails when clamd is silent this long; 60 s by default. */
  readonly idleTimeoutMs?: number;
}

export function createClamav(options: ClamavOptions): Scanner {
  const { url } = options;
  const address = clamdAddress(url);
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  return {
    name: 'clamav',
    address: url,
    scan: (source, signal) => instream(address, source, idleTimeoutMs, signal),
    async ping(timeoutMs = 2_000) {
      return command(address, 'zPING\0', timeoutMs).then((reply) => reply.replace(/\0+$/, '') === 'PONG', () => false);
    },
  };
}

function command(address: net.NetConnectOpts, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address);
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write(line));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('utf8');
      if (reply.includes('\0')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(reply));
  });
}

function instream(address: net.NetConnectOpts, source: Readable, idleTimeoutMs: number, signal?: AbortSignal): Promise<ScanVerdict> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address);
    let reply = '';
    let settled = false;
    // clamd may answer (size limit exceeded) and close while we still write: its reply wins over our EPIPE.
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      source.destroy();
      if (reply.includes('\0') || (reply && !err)) {
        try {
          return resolve(parseScanReply(reply));
        } catch (parseError) {
          return reject(parseError as Error);
        }
      }
      reject(err ?? new ScannerError('clamd closed the connection without a verdict'));
    };
    const onAbort = () => finish(new ScannerError('scan aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(idleTimeoutMs, () => finish(new ScannerError(`clamd did not answer within ${idleTimeoutMs} ms`)));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('utf8');
      if (reply.includes('\0')) finish(null);
    });
    socket.on('error', (err) => finish(new ScannerError(`clamd unreachable: ${err.message}`)));
    socket.on('close', () => finish(null));
    socket.once('connect', () => {
      void (async () => {
        socket.write('zINSTREAM\0');
        for await (const chunk of source as AsyncIterable<Buffer>) {
          if (settled) return;
          if (!socket.write(frameChunk(chunk))) await drained(socket);
        }
        if (!settled) socket.write(END_OF_STREAM);
      })().catch((err: Error) => finish(new ScannerError(`reading the file for the scan failed: ${err.message}`)));
    });
  });
}

function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
