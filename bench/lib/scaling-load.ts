import { createRequire } from 'node:module';
import type { CannonResult } from './autocannon.js';

/**
 * HTTP load for bench:scaling: autocannon (a devDependency) in this process's main thread, one
 * instance per API process with the connections split between them, every request built by
 * `next()` (a shared rotation over sessions, users or notifications: each request different).
 * The herald processes are other OS processes here, so the generator needs no thread of its own;
 * its CPU is reported as the benchmark's.
 */

export interface Built {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

type Run = Promise<CannonResult> & { stop(): void };
type Cannon = (options: Record<string, unknown>) => Run;
const requireHere = createRequire(import.meta.url);
const autocannon = requireHere('autocannon') as Cannon;
const reported = createRequire(requireHere.resolve('autocannon'))('hdr-histogram-percentiles-obj') as { percentiles: number[] };
if (!reported.percentiles.includes(95)) reported.percentiles.push(95);

const running = new Set<Run>();

/** Stops any load in progress (Ctrl-C). */
export function stopAllLoad(): void {
  for (const r of running) r.stop();
}

export interface LoadResult {
  readonly reqPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly statuses: Record<string, number>;
}

/** `connections` split over `urls`, for `seconds`; `next()` gives every request. */
export async function load(urls: readonly string[], connections: number, seconds: number, next: () => Built): Promise<LoadResult> {
  const per = urls.map((_, k) => Math.floor(connections / urls.length) + (k < connections % urls.length ? 1 : 0));
  const results = await Promise.all(urls.map(async (url, k) => {
    const run = autocannon({
      url, connections: per[k], duration: seconds,
      requests: [{
        setupRequest: (req: RawRequest) => {
          const r = next();
          req.method = r.method;
          req.path = r.path;
          req.headers = r.headers;
          req.body = r.body ?? Buffer.alloc(0);
          return req;
        },
      }],
    });
    running.add(run);
    try {
      return await run;
    } finally {
      running.delete(run);
    }
  }));
  const requests = results.reduce((s, r) => s + r.requests.total, 0);
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [code, { count }] of Object.entries(r.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
  // Latencies: the weighted mean of each instance's percentile (instances see the same kind of load).
  const weighted = (pick: (r: CannonResult) => number) =>
    Number((results.reduce((s, r) => s + pick(r) * r.requests.total, 0) / Math.max(1, requests)).toFixed(1));
  return {
    reqPerSec: Math.round(results.reduce((s, r) => s + r.requests.average, 0)),
    requests,
    p50Ms: weighted((r) => r.latency.p50),
    p95Ms: weighted((r) => r.latency.p95),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors + r.timeouts, 0),
    statuses,
  };
}
