import { Worker } from 'node:worker_threads';
import type { CannonRequest } from './autocannon.js';
import { waitForQuiet } from './autocannon.js';
import { log } from './database.js';

/**
 * An open-loop load at a fixed offered rate (issue 21: the inbox reads' p99 below saturation).
 * autocannon's `overallRate`/`connectionRate` cannot be used for this: each connection sends its
 * per-second quota back to back at the top of every second (httpClient.js resets
 * `reqsMadeThisSecond` once a second), so the first part of each second is a saturated burst, and
 * its coordinated-omission correction records `responseTime` with an expected interval of
 * `Math.ceil(1 / rate)` = 1 ms, filling the histogram with made-up values below each real one.
 * Here requests are due at `start + k / rate` on the given keep-alive connections and each one's
 * latency runs from when it was due (queueing for a busy connection included), measured in a
 * worker thread of its own (open-loop-worker.ts) so the server keeps the main thread.
 */

export interface OpenLoopJob {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** Requests per second, offered whatever the server's pace. */
  readonly rate: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  /** Raw HTTP/1.1 requests each connection cycles through. */
  readonly requests: readonly string[];
}

export interface OpenLoopRaw {
  latenciesMs: number[];
  serviceMs: number[];
  completed: number;
  /** Responses that arrived within the measured window, whenever due: what the server kept up with. */
  answeredInWindow: number;
  non2xx: number;
  errors: number;
  unfinished: number;
  /** Requests made due in the measured window. */
  due: number;
  /** Most requests ever waiting for a free connection at once (warm-up included). */
  maxQueued: number;
}

export interface OpenLoopSummary {
  readonly offeredPerSec: number;
  /** Responses to the requests due in the measured window, per second of it (all are awaited). */
  readonly achievedPerSec: number;
  /** Responses that arrived within the window, per second: below offered when the server fell behind. */
  readonly answeredPerSec: number;
  /** From when each request was due to its last byte. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** From when it was written (no wait for a connection): the server's own time. */
  readonly serviceP99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly unfinished: number;
  readonly maxQueued: number;
  readonly backgroundCpu: number;
}

const r2 = (x: number) => Number(x.toFixed(2));

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function rawRequests(url: URL, requests: readonly CannonRequest[]): string[] {
  return requests.map((r) => {
    const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    return `${r.method ?? 'GET'} ${r.path} HTTP/1.1\r\nhost: ${url.host}\r\n${headers}\r\n`;
  });
}

export interface OpenLoopOptions {
  readonly connections: number;
  readonly rate: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly requests: readonly CannonRequest[];
  /** Called right before and right after the run (warm-up included): the tail probes. */
  readonly around?: { before(): Promise<void>; after(): Promise<void> };
}

/** Waits for a quiet machine (a minute at most), then offers `rate` req/s for warm-up + duration. */
export async function measureAtRate(label: string, baseUrl: string, options: OpenLoopOptions): Promise<OpenLoopSummary> {
  const load = await waitForQuiet();
  const url = new URL(baseUrl);
  const job: OpenLoopJob = {
    host: url.hostname, port: Number(url.port), connections: options.connections, rate: options.rate,
    durationSec: options.durationSec, warmupSec: options.warmupSec, requests: rawRequests(url, options.requests),
  };
  await options.around?.before();
  const worker = new Worker(new URL('./open-loop-worker.ts', import.meta.url), { workerData: job, execArgv: ['--import', 'tsx'] });
  const raw = await new Promise<OpenLoopRaw>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`open-loop worker exited with ${code} before reporting`)));
  });
  await worker.terminate();
  await options.around?.after();
  const sorted = Float64Array.from(raw.latenciesMs).sort();
  const service = Float64Array.from(raw.serviceMs).sort();
  const at = (xs: Float64Array, p: number) => r2(percentile(xs, p));
  const summary: OpenLoopSummary = {
    offeredPerSec: options.rate, achievedPerSec: r2(raw.completed / options.durationSec), answeredPerSec: r2(raw.answeredInWindow / options.durationSec),
    p50Ms: at(sorted, 50), p95Ms: at(sorted, 95), p99Ms: at(sorted, 99), maxMs: at(sorted, 100), serviceP99Ms: at(service, 99),
    requests: raw.completed, non2xx: raw.non2xx, errors: raw.errors, unfinished: raw.unfinished, maxQueued: raw.maxQueued,
    backgroundCpu: r2(load),
  };
  log(`${label} at ${options.rate} req/s offered (CPUs ${Math.round(load * 100)}% busy before): ${summary.answeredPerSec} req/s answered in the window, ` +
    `p50 ${summary.p50Ms} ms, p95 ${summary.p95Ms} ms, p99 ${summary.p99Ms} ms (server's own p99 ${summary.serviceP99Ms}), max ${summary.maxMs} ms, ` +
    `most queued ${summary.maxQueued}, non-2xx ${summary.non2xx}, errors ${summary.errors}, unfinished ${summary.unfinished}`);
  return summary;
}
