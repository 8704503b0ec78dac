import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { OpenLoopJob, OpenLoopRaw } from './open-loop.js';

/**
 * The open-loop load generator's worker thread (see open-loop.ts). Requests are due at a fixed
 * rate, `start + k / rate`, whatever the server does: a due request goes out on an idle keep-alive
 * connection at once, or waits (FIFO) for the first one to free up. Its latency runs from when it
 * was due, so time spent queued behind a slow response counts (no coordinated omission: wrk2's
 * rule). Each connection cycles through the request list from its start, as autocannon's do, so
 * the users and the session cache see the workload of the closed-loop runs. Responses must carry a
 * content-length (Fastify's and the bare server's do); anything else is an error.
 */

const job = workerData as OpenLoopJob;
const HEADER_END = Buffer.from('\r\n\r\n');

interface Conn {
  socket: net.Socket;
  next: number;
  /** The request in flight: when it was due and when it was written. */
  dueAt: number;
  sentAt: number;
  busy: boolean;
  chunks: Buffer[];
  bytes: number;
}

const requests = job.requests.map((raw) => Buffer.from(raw));
const interval = 1000 / job.rate;
const warmEnd = job.warmupSec * 1000;
const end = warmEnd + job.durationSec * 1000;
const latencies: number[] = [];
const service: number[] = [];
const raw: OpenLoopRaw = { latenciesMs: latencies, serviceMs: service, completed: 0, answeredInWindow: 0, non2xx: 0, errors: 0, unfinished: 0, due: 0, maxQueued: 0 };
let t0 = 0;
const idle: Conn[] = [];
const queued: number[] = []; // due times of requests waiting for a connection
let scheduled = 0; // requests made due so far (warm-up included)
let stopped = false;

function send(conn: Conn, dueAt: number): void {
  conn.busy = true;
  conn.dueAt = dueAt;
  conn.sentAt = performance.now();
  conn.socket.write(requests[conn.next++ % requests.length]!);
}

function complete(conn: Conn, status: number): void {
  const now = performance.now();
  const measured = conn.dueAt - t0 >= warmEnd && conn.dueAt - t0 < end;
  if (now - t0 >= warmEnd && now - t0 < end) raw.answeredInWindow++;
  if (measured) {
    raw.completed++;
    if (status < 200 || status > 299) raw.non2xx++;
    else { latencies.push(now - conn.dueAt); service.push(now - conn.sentAt); }
  }
  conn.busy = false;
  const waiting = queued.shift();
  if (waiting !== undefined) send(conn, waiting);
  else idle.push(conn);
}

/** Parses what arrived so far; completes the response once its body is all there. */
function onData(conn: Conn, chunk: Buffer): void {
  conn.chunks.push(chunk);
  conn.bytes += chunk.length;
  const buf = conn.chunks.length === 1 ? conn.chunks[0]! : Buffer.concat(conn.chunks, conn.bytes);
  conn.chunks = [buf];
  const headerEnd = buf.indexOf(HEADER_END);
  if (headerEnd < 0) return;
  const head = buf.subarray(0, headerEnd).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!length) {
    if (raw.errors++ === 0) process.stderr.write(`[open-loop] a response without content-length: ${head.slice(0, 200)}\n`);
    conn.socket.destroy();
    return;
  }
  const total = headerEnd + 4 + Number(length[1]);
  if (buf.length < total) return;
  conn.chunks = buf.length > total ? [buf.subarray(total)] : [];
  conn.bytes = buf.length - total;
  complete(conn, Number(head.slice(9, 12)));
}

function connect(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: job.host, port: job.port, noDelay: true });
    const conn: Conn = { socket, next: 0, dueAt: 0, sentAt: 0, busy: false, chunks: [], bytes: 0 };
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => onData(conn, chunk));
    socket.on('close', () => {
      if (!stopped && conn.busy && conn.dueAt - t0 >= warmEnd && conn.dueAt - t0 < end) raw.errors++;
      if (!stopped) process.stderr.write('[open-loop] a connection closed mid-run\n');
    });
  });
}

/** Makes every request due by now due: sent on an idle connection, or queued for one. */
function tick(): void {
  const now = performance.now() - t0;
  const dueNow = Math.min(Math.floor(now / interval) + 1, Math.ceil(end / interval));
  for (; scheduled < dueNow; scheduled++) {
    const dueAt = t0 + scheduled * interval;
    if (dueAt - t0 >= warmEnd) raw.due++;
    const conn = idle.shift();
    if (conn) send(conn, dueAt);
    else queued.push(dueAt);
  }
  if (queued.length > raw.maxQueued) raw.maxQueued = queued.length;
  if (now < end) setTimeout(tick, Math.max(0, Math.min(1, t0 + scheduled * interval - performance.now())));
  else void finish(conns);
}

let conns: Conn[] = [];
async function finish(all: Conn[]): Promise<void> {
  // Requests due in the window but not answered yet still count: wait for them (10 s at most).
  const deadline = performance.now() + 10_000;
  while ((queued.length > 0 || all.some((c) => c.busy)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  raw.unfinished = queued.filter((d) => d - t0 >= warmEnd).length + all.filter((c) => c.busy && c.dueAt - t0 >= warmEnd).length;
  stopped = true;
  for (const c of all) c.socket.destroy();
  parentPort!.postMessage(raw);
}

conns = await Promise.all(Array.from({ length: job.connections }, connect));
idle.push(...conns);
t0 = performance.now();
tick();
