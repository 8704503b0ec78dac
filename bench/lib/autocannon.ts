import { createRequire } from 'node:module';
import os from 'node:os';
import { log } from './database.js';

/**
 * autocannon 9, typed for what benchmarks use (the package ships no types). The load runs in
 * one worker thread, so the server under test keeps the main thread to itself, as it would with
 * an external load generator (wrk); that is why requests carry no functions: worker options are
 * cloned, so per-request variation (tokens) comes from a `requests` array of fixed requests.
 */

export interface CannonRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

interface Histogram {
  readonly average: number;
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p99_9: number;
}

/** The fields of autocannon's result object (lib/aggregateResult.js) that we read. */
export interface CannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Record<string, { count: number }>;
  readonly latency: Histogram & { totalCount: number };
  readonly requests: Histogram & { total: number; sent: number };
}

interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  workers?: number;
  requests?: readonly CannonRequest[];
  headers?: Record<string, string>;
}

type Run = Promise<CannonResult> & { stop(): void };
const requireHere = createRequire(import.meta.url);
const autocannon = requireHere('autocannon') as (options: CannonOptions) => Run;

// autocannon reports the percentiles listed in hdr-histogram-percentiles-obj's exported array
// (…, 90, 97.5, 99: no 95), reading it each time it aggregates a result, which with workers it does
// in this thread. Adding 95 to autocannon's own copy of that array makes every result carry p95.
const reported = createRequire(requireHere.resolve('autocannon'))('hdr-histogram-percentiles-obj') as { percentiles: number[] };
if (!reported.percentiles.includes(95)) reported.percentiles.push(95);

let running: Run | null = null;

/** Stops the load in progress, if any (on Ctrl-C), so servers can close. */
export function stopLoad(): void {
  running?.stop();
}

async function run(options: CannonOptions): Promise<CannonResult> {
  running = autocannon(options);
  try {
    return await running;
  } finally {
    running = null;
  }
}

export interface LoadSummary {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly requests: number;
  /** Share of all CPUs busy (other processes) just before the run; see waitForQuiet(). */
  readonly backgroundCpu: number;
}

export interface LoadOptions {
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  /** Requests each connection cycles through; one plain GET of the URL when omitted. */
  readonly requests?: readonly CannonRequest[];
  /** Called right before and right after the measured run (not the warm-up): CPU probes. */
  readonly around?: { before(): Promise<void>; after(): Promise<void> };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export function summarize(result: CannonResult, backgroundCpu = 0): LoadSummary {
  return {
    reqPerSec: round(result.requests.average, 1),
    p50Ms: round(result.latency.p50),
    p95Ms: round(result.latency.p95),
    p99Ms: round(result.latency.p99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requests: result.requests.total,
    backgroundCpu: round(backgroundCpu),
  };
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

/**
 * The share of all CPUs busy over `ms` while this benchmark sends nothing: other processes
 * sharing the machine (tests, other benchmarks) lower every figure, so it is logged with them.
 */
export async function backgroundLoad(ms = 1_000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/** Samples backgroundLoad() until it is under `threshold` or `maxMs` have passed; returns the last. */
export async function waitForQuiet(threshold = 0.15, maxMs = 60_000): Promise<number> {
  const deadline = performance.now() + maxMs;
  let load = await backgroundLoad();
  while (load >= threshold && performance.now() < deadline) load = await backgroundLoad();
  return load;
}

/** Waits for a quiet machine (a minute at most), a warm-up run (discarded), then the measured run. */
export async function measure(label: string, url: string, options: LoadOptions): Promise<LoadSummary> {
  const started = performance.now();
  const load = await waitForQuiet();
  const waited = Math.round((performance.now() - started) / 1000);
  log(`${label}: CPUs ${Math.round(load * 100)}% busy before the run (waited ${waited} s)` +
    `${load >= 0.15 ? ' — WARNING: the machine is shared and busy; figures will be low' : ''}`);
  const base = { url, connections: options.connections, workers: 1, ...(options.requests ? { requests: options.requests } : {}) };
  if (options.warmupSec > 0) {
    const warm = summarize(await run({ ...base, duration: options.warmupSec }));
    log(`${label} warm-up: ${warm.reqPerSec} req/s, p99 ${warm.p99Ms} ms, non-2xx ${warm.non2xx}`);
  }
  await options.around?.before();
  const result = await run({ ...base, duration: options.durationSec });
  await options.around?.after();
  const summary = summarize(result, load);
  const codes = Object.entries(result.statusCodeStats).map(([code, s]) => `${code}×${s.count}`).join(' ');
  log(`${label}: ${summary.reqPerSec} req/s, p50 ${summary.p50Ms} ms, p95 ${summary.p95Ms} ms, p99 ${summary.p99Ms} ms, ` +
    `non-2xx ${summary.non2xx}, errors ${summary.errors}, timeouts ${summary.timeouts} [${codes}]`);
  return summary;
}
