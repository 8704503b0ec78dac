import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { bullQueueName } from '../src/platform/redis/keys.js';
import { measure } from './lib/autocannon.js';
import pg from 'pg';
import { MetricsRepository } from '../src/job-console/metrics.repository.js';
import { MetricsService } from '../src/job-console/metrics.service.js';
import { QUEUE_NAMES } from '../src/platform/queue/registry.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { fillMetricBuckets, fillRawHistory } from './lib/job-metrics-data.js';
import { historyPart } from './lib/history-cost.js';
import { broadcastsPart } from './lib/broadcasts-part.js';
import { searchPart } from './lib/job-search-bench.js';

/**
 * bench:admin, in parts (BENCH_ADMIN_PARTS=queues,metrics; all by default), one JSON object with a
 * key per part.
 *
 * queues: GET /api/admin/jobs/queues with BENCH_COMPLETED (1,000,000) completed jobs kept in one
 * queue. Counts come from BullMQ's per-state counters, so the latency must not grow with the
 * number of jobs (target p99 < 50 ms). The same request on an empty set of queues is the baseline.
 *
 * metrics: GET /api/admin/jobs/queues/:queue/metrics over stored buckets (90 days hourly, 24 h by
 * minute, 13 months daily for every queue), one query at a time (target p95 < 30 ms for 90 days
 * hourly) and the 90-day range again with BENCH_METRICS_CONCURRENT (4) at once; and the cost of
 * the rollup over raw history (BENCH_METRICS_ROWS_PER_HOUR, default 100,000 an hour for a day):
 * one hourly run (and the same again: nothing to write), one daily run, one minute re-roll.
 *
 * history: what recording job history costs the delivery workload (target: at most 5 % of its
 * throughput): JOB_HISTORY on and off in one run, ABBA: bench/lib/history-cost.ts.
 *
 * broadcasts: a broadcast's preview over 100,000 users (BENCH_BROADCAST_USERS) with mixed
 * preferences, p50/p95 (target p95 < 500 ms), and one recall of a 100,000-row batch (target
 * < 10 s): bench/lib/broadcasts-part.ts.
 *
 * search: GET /api/admin/jobs/search over 1,000,000 history rows (BENCH_SEARCH_ROWS) and a live
 * backlog, a mix of query kinds one at a time, p50/p95/p99 each and overall (target p95 < 50 ms):
 * bench/lib/job-search-bench.ts.
 */
const COMPLETED = intEnv('BENCH_COMPLETED', 1_000_000);
const QUEUE = 'notification-fanout';

async function fillCompleted(app: App, prefix: string): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  // A no-op processor: only the jobs' existence matters, not the service's handler.
  const worker = new Worker(bullQueueName(QUEUE), async () => undefined, { connection, prefix, concurrency: 200, autorun: true });
  const queue = app.queues.get(QUEUE);
  const started = performance.now();
  for (let i = 0; i < COMPLETED; i += 1_000) {
    const n = Math.min(1_000, COMPLETED - i);
    await queue.addBulk(Array.from({ length: n }, () => ({ name: 'NotificationBatchFanOut', data: { batchId: 'bench' }, opts: { removeOnComplete: false } })));
    if (i % 100_000 === 0) log(`added ${i.toLocaleString('en')} jobs`);
  }
  while ((await queue.getJobCounts('completed')).completed! < COMPLETED) await new Promise((r) => setTimeout(r, 500));
  await worker.close();
  connection.disconnect();
  return (performance.now() - started) / 1000;
}

async function queuesPart(): Promise<object> {
  const prefix = `badm${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  try {
    database = await createScratchDatabase(uniqueName('admin'));
    await migrate(database.url);
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['api'], logger: createLogger('warn', process.stderr) });
    await app.start();
    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    const url = app.url!;
    const requests = [{ method: 'GET' as const, path: '/api/admin/jobs/queues', headers: { authorization: `Bearer ${token}` } }];
    const load = { connections: 10, durationSec: 10, warmupSec: 2, requests };
    const empty = await measure('queues overview, no jobs', url, load);
    const fillSeconds = await fillCompleted(app, prefix);
    const full = await measure(`queues overview, ${COMPLETED} completed jobs`, url, load);
    const redisMemory = /used_memory_human:(\S+)/.exec(await app.redis.info('memory'))?.[1] ?? null;
    return {
      completedJobs: COMPLETED, fillSeconds: Number(fillSeconds.toFixed(1)), redisMemory,
      baseline: { reqPerSec: empty.reqPerSec, p50Ms: empty.p50Ms, p99Ms: empty.p99Ms },
      withJobs: { reqPerSec: full.reqPerSec, p50Ms: full.p50Ms, p99Ms: full.p99Ms, non2xx: full.non2xx, ratioToBaseline: Number((full.reqPerSec / empty.reqPerSec).toFixed(3)) },
      targets: { p99Ms: 50 }, pass: { p99: full.p99Ms < 50 && full.non2xx === 0 },
    };
  } finally {
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

const ROWS_PER_HOUR = intEnv('BENCH_METRICS_ROWS_PER_HOUR', 100_000);
const METRICS_SECONDS = intEnv('BENCH_METRICS_SECONDS', 10);
/** One admin's query at a time (the target's case); the 90-day hourly range is measured again with BENCH_METRICS_CONCURRENT at once. */
const METRICS_CONNECTIONS = intEnv('BENCH_METRICS_CONNECTIONS', 1);
const METRICS_CONCURRENT = intEnv('BENCH_METRICS_CONCURRENT', 4);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const timed = async <T>(work: () => Promise<T>): Promise<T & { ms: number }> => {
  const started = performance.now();
  const result = await work();
  return { ...result, ms: Math.round(performance.now() - started) };
};

/**
 * The metrics part: stored buckets for every queue (and 'all') at each level's full retention,
 * a day of raw history at ROWS_PER_HOUR, then the rollup's cost and the range queries' latency.
 */
async function metricsPart(): Promise<object> {
  const prefix = `bmet${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  const client = { pg: null as pg.Client | null };
  try {
    database = await createScratchDatabase(uniqueName('admin_metrics'));
    await migrate(database.url);
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['api'], logger: createLogger('warn', process.stderr) });
    await app.start();
    client.pg = new pg.Client({ connectionString: database.url });
    await client.pg.connect();

    const now = Date.now();
    const minuteEnd = new Date(Math.floor(now / 60_000) * 60_000);
    const hourEnd = new Date(Math.floor(now / HOUR_MS) * HOUR_MS);
    const dayEnd = new Date(Math.floor(now / DAY_MS) * DAY_MS);
    const yearAgo = new Date(dayEnd);
    yearAgo.setUTCMonth(yearAgo.getUTCMonth() - 13);
    const days13mo = Math.round((dayEnd.getTime() - yearAgo.getTime()) / DAY_MS);
    const seeded = {
      queues: QUEUE_NAMES.length + 1,
      hourBuckets: await fillMetricBuckets(client.pg, QUEUE_NAMES, 'hour', 90 * 24, hourEnd),
      minuteBuckets: await fillMetricBuckets(client.pg, QUEUE_NAMES, 'minute', 24 * 60, minuteEnd),
      dayBuckets: await fillMetricBuckets(client.pg, QUEUE_NAMES, 'day', days13mo, dayEnd),
    };
    await client.pg.query('ANALYZE job_metrics');
    log(`metrics: ${seeded.hourBuckets + seeded.minuteBuckets + seeded.dayBuckets} buckets stored; filling a day of history at ${ROWS_PER_HOUR} rows an hour`);
    const yesterday = new Date(dayEnd.getTime() - DAY_MS);
    const fillSeconds = await fillRawHistory(client.pg, QUEUE_NAMES, yesterday, dayEnd, ROWS_PER_HOUR);

    // The rollup as the schedules run it (rollWindow: the same statements without the watermark).
    const metrics = new MetricsService({
      db: app.database.db, log: app.log, metrics: new MetricsRepository(app.database.db), retention: app.config.jobConsole.metrics,
      historyDays: app.config.jobConsole.history.days, flushMs: app.config.jobConsole.history.flushMs,
    });
    const noon = new Date(yesterday.getTime() + 12 * HOUR_MS);
    const rollup = {
      rowsPerHour: ROWS_PER_HOUR, fillSeconds: Number(fillSeconds.toFixed(1)),
      hourly: await timed(() => metrics.rollWindow('hour', noon, new Date(noon.getTime() + HOUR_MS))),
      hourlyAgain: await timed(() => metrics.rollWindow('hour', noon, new Date(noon.getTime() + HOUR_MS))),
      daily: await timed(() => metrics.rollWindow('day', yesterday, dayEnd)),
      minuteReroll: await timed(() => metrics.rollWindow('minute', new Date(noon.getTime() - 5 * 60_000), noon)),
    };
    log(`metrics rollup: hourly ${rollup.hourly.ms} ms, daily ${rollup.daily.ms} ms, minute re-roll ${rollup.minuteReroll.ms} ms`);

    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    const url = app.url!;
    const ranges = {
      hourly90d: { granularity: 'hour', from: new Date(hourEnd.getTime() - 90 * DAY_MS), to: hourEnd },
      minute24h: { granularity: 'minute', from: new Date(minuteEnd.getTime() - DAY_MS), to: minuteEnd },
      daily13mo: { granularity: 'day', from: yearAgo, to: dayEnd },
    };
    const queries: Record<string, object> = {};
    const load = async (name: string, r: { granularity: string; from: Date; to: Date }, connections: number) => {
      const requests = [...QUEUE_NAMES, 'all'].map((q) => ({
        method: 'GET' as const, headers: { authorization: `Bearer ${token}` },
        path: `/api/admin/jobs/queues/${q}/metrics?granularity=${r.granularity}&from=${r.from.toISOString()}&to=${r.to.toISOString()}`,
      }));
      const body = await (await fetch(url + requests[0]!.path, { headers: requests[0]!.headers })).text();
      const buckets = (JSON.parse(body) as { data: { buckets: unknown[] } }).data.buckets.length;
      const l = await measure(`metrics ${name} (${buckets} buckets, ${connections} at once)`, url, { connections, durationSec: METRICS_SECONDS, warmupSec: 2, requests });
      return { buckets, responseBytes: body.length, connections, reqPerSec: l.reqPerSec, p50Ms: l.p50Ms, p95Ms: l.p95Ms, p99Ms: l.p99Ms, non2xx: l.non2xx };
    };
    for (const [name, r] of Object.entries(ranges)) queries[name] = await load(name, r, METRICS_CONNECTIONS);
    queries.hourly90dConcurrent = await load('hourly90d', ranges.hourly90d, METRICS_CONCURRENT);
    const hourly = queries.hourly90d as { p95Ms: number; non2xx: number };
    return {
      seeded, rollup, queries,
      targets: { hourly90dP95Ms: 30 }, pass: { hourly90dP95: hourly.p95Ms < 30 && hourly.non2xx === 0 },
    };
  } finally {
    await client.pg?.end().catch(() => undefined);
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

/** The parts, in the order they run; BENCH_ADMIN_PARTS picks some (comma-separated). */
const PARTS: Record<string, () => Promise<object>> = { queues: queuesPart, metrics: metricsPart, search: searchPart, history: historyPart, broadcasts: broadcastsPart };

async function main() {
  const wanted = (process.env.BENCH_ADMIN_PARTS ?? Object.keys(PARTS).join(',')).split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = wanted.filter((p) => !PARTS[p]);
  if (unknown.length) throw new Error(`BENCH_ADMIN_PARTS: unknown part ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')})`);
  const result: Record<string, unknown> = { benchmark: 'admin', date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version } };
  for (const part of wanted) result[part] = await PARTS[part]!();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
