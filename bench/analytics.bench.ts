/**
 * bench:analytics — ingestion, rollups and the read API of JOBS.md §3, each against a bare baseline
 * measured in the same run.
 *
 * 1. COPY BENCH_EVENTS events (5,000,000) spread over 30 days of the last whole month into a scratch
 *    database (the bare-COPY baseline of ingestion), then VACUUM ANALYZE.
 * 2. POST /api/analytics/events (rate limits off): BENCH_HTTP_EVENTS events in batches of 500,
 *    BENCH_HTTP_CONCURRENCY requests at a time, to the app inside this process (the old single ratio
 *    to part 1's COPY, kept for continuity). Then BENCH_ROUNDS (6) rounds, each timed phase after a CHECKPOINT,
 *    each a COPY of the very rows the round's headline HTTP phase stores (two streams; sameRowsCopy:
 *    the same events in the API's encoding, built before the clock as the HTTP bodies are) and those
 *    events over HTTP (node:http; BENCH_HTTP_CLIENT=fetch for fetch) to one herald
 *    API process of its own (a private build of HEAD, as deployed; BENCH_API_REF for another commit),
 *    the generator staying here: the ratio of each round, their median and spread (ingestion.rounds,
 *    the headline). Each round also posts to the in-process app (rounds.inProcess: the API sharing
 *    this thread with the generator, as the figures before 2026-12-07 06:00 did) and, with
 *    BENCH_SCALE_APIS=n, to n API processes at once (rounds.horizontalScale: scale, not the headline).
 *    Part 2's single ratio set a minute-long COPY against a 2-3 s HTTP phase minutes later; on a
 *    shared machine the COPY rate moved 68-120 k rows/s between runs, so one ratio said more about
 *    the load than the code. Each round also says where the machine's CPU went per 500 rows in its
 *    COPY and headline phases (runs[].cpuPer500: API process, PostgreSQL, generator, rest, idle).
 * 3. Hourly, daily, weekly and monthly rollups of periods inside the data, each timed against the bare
 *    INSERT … SELECT … GROUP BY of the same metrics into a copy of the rollup table (same indexes),
 *    one per level, for the same period (target ≤ 1.5×), and a second (no-change) run.
 * 4. Daily rollups of all 30 days, repeated 30 and 60 days earlier (90 days of daily rows), then
 *    BENCH_READS sequential requests of a 90-day daily series: p50/p99 (target p99 < 20 ms).
 *
 * stdout gets one JSON document; progress goes to stderr. The database and Redis keys are removed at
 * the end, also on failure. Smoke run: BENCH_EVENTS=200000 BENCH_HTTP_EVENTS=20000 BENCH_READS=200. BENCH_ONLY=ingestion
 * runs part 1 alone.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { DAY_MS, HOUR_MS, periodEndOf, periodsOverlapping, periodStartOf, shiftPeriod, type PeriodType } from '../src/analytics/analytics.periods.js';
import { KNOWN_EVENT_TYPES } from '../src/analytics/analytics.schemas.js';
import { LEVELS } from '../src/analytics/rollup.repository.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { intEnv } from './lib/env.js';
import { msPerUnit, postmasterOf, snapshot, type Watched } from './lib/resource-usage.js';
import { copyBlocks, copyClients, sameRowsCopy } from './lib/ingest-copy.js';
import { BATCH, BENCH_USER_AGENT, HTTP_CLIENT, ingestOverHttp, phaseEvents, loginToken, startApiProcesses, type ApiProcesses } from './lib/ingest-http.js';
import { EVENT_COLUMNS, eventRows, makeCatalog, percentile, type ClientEvent } from './lib/analytics-data.js';
import { copyInParallel, createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';

const EVENTS = intEnv('BENCH_EVENTS', 5_000_000);
const HTTP_EVENTS = intEnv('BENCH_HTTP_EVENTS', 100_000);
const HTTP_CONCURRENCY = intEnv('BENCH_HTTP_CONCURRENCY', 8);
const READS = intEnv('BENCH_READS', 1_000);
// Even, so that as many rounds run COPY first as run HTTP first.
const ROUNDS = intEnv('BENCH_ROUNDS', 6);
// BENCH_ONLY=ingestion stops after part 1 (COPY baseline and HTTP ingestion): a minute instead of six.
const INGESTION_ONLY = process.env.BENCH_ONLY === 'ingestion';
// Optional, never the headline: with 2 or more, rounds also post to that many API processes at once (horizontal scale).
const SCALE_APIS = intEnv('BENCH_SCALE_APIS', 1);
const DAYS = 30;
const ADMIN = { email: 'admin@bench.local', password: 'bench-password' } as const;
const TARGETS = { rollupRatio: 1.5, readP99Ms: 20 } as const;
const round = (n: number, d = 2) => Number(n.toFixed(d));
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The last whole month with at least 30 days (February is skipped). */
function dataMonth(now: Date): Date {
  let m = shiftPeriod('monthly', periodStartOf('monthly', now), -1);
  while (periodEndOf('monthly', m).getTime() - m.getTime() < DAYS * DAY_MS) m = shiftPeriod('monthly', m, -1);
  return m;
}

const DIM: Record<string, string> = { platform: `'00000000-0000-0000-0000-000000000000'::uuid`, asset: 'asset_id', project: 'project_id', license: 'license_id', brand: 'brand_id', creator: 'creator_id' };

/** The bare statements: the same metrics, straight INSERT … SELECT … GROUP BY, one per level. */
async function baseline(pool: pg.Pool, type: PeriodType, start: Date): Promise<number> {
  await pool.query('TRUNCATE bench_rollups');
  const end = periodEndOf(type, start);
  const known = [...KNOWN_EVENT_TYPES];
  const t0 = performance.now();
  for (const level of LEVELS) {
    await pool.query(`
      INSERT INTO bench_rollups (period_type, level, dimension_id, period_start, events, views, clicks, conversions, other_events, revenue_cents, unique_visitors, engagement_time)
      SELECT $1, $2, ${DIM[level]}, $3, count(*), count(*) FILTER (WHERE event_type = 'asset_viewed'),
        count(*) FILTER (WHERE event_type IN ('asset_downloaded', 'license_clicked')), count(*) FILTER (WHERE event_type = 'license_created'),
        count(*) FILTER (WHERE event_type <> ALL ($5::text[])), coalesce(sum(revenue_cents), 0), count(DISTINCT visitor_id), coalesce(sum(engagement_time), 0)
      FROM analytics_events WHERE occurred_at >= $3 AND occurred_at < $4 ${level === 'platform' ? '' : `AND ${DIM[level]} IS NOT NULL`}
      GROUP BY 3`, [type, level, start, end, known]);
  }
  return seconds(t0);
}

async function timeRollup(app: App, pool: pg.Pool, type: PeriodType, start: Date) {
  await baseline(pool, type, start); // warms the cache for both
  const bare = await baseline(pool, type, start);
  await pool.query('DELETE FROM analytics_rollups WHERE period_type = $1 AND period_start = $2', [type, start]);
  let t0 = performance.now();
  const first = await app.services.analytics.aggregation.run({ type, start, trigger: 'manual' });
  const herald = seconds(t0);
  t0 = performance.now();
  await app.services.analytics.aggregation.run({ type, start, trigger: 'manual' });
  const rerun = seconds(t0);
  log(`${type} ${start.toISOString()}: herald ${round(herald)} s, bare ${round(bare)} s, rerun ${round(rerun)} s (${first.recordsProcessed} events, ${first.recordsCreated} rows)`);
  return { events: first.recordsProcessed, rows: first.recordsCreated, seconds: round(herald, 3), baselineSeconds: round(bare, 3), ratio: round(herald / bare), rerunSeconds: round(rerun, 3) };
}

/**
 * COPY and HTTP of the same number of rows, interleaved in ROUNDS rounds, so each ratio compares
 * phases a few seconds apart. The headline HTTP phase posts to one API process of its own (as
 * deployed), the generator staying in this process; the old in-process phase (the app in this
 * process, sharing its thread with the generator) and, with BENCH_SCALE_APIS, the same load spread
 * over that many API processes are measured in the same round. Even rounds run COPY, API process,
 * [scale], in-process; odd rounds the reverse, so COPY and the headline phase are always adjacent.
 * The COPY copies the very rows the headline HTTP phase stores (sameRowsCopy: the same events, the
 * API's encoding, its user agent, IP and user, one occurred_at a 500 events, now), built before its
 * clock; each of the two timed phases starts after a CHECKPOINT, whose sync otherwise stalled one
 * phase of a round and left the phase after it clean buffers.
 */
async function interleavedRounds(inProcess: { url: string; token: string }, apis: ApiProcesses, apiToken: string, database: ScratchDatabase, pool: pg.Pool) {
  const { url } = database;
  type Run = { first: 'copy' | 'http'; copyRowsPerSec: number; httpEventsPerSec: number; ratio: number; clientCpuMsPerRequest: number; cpuPer500: { copy: ReturnType<typeof msPerUnit>; api: ReturnType<typeof msPerUnit> }; inProcessEventsPerSec: number; ratioInProcess: number; scaleEventsPerSec?: number; ratioScale?: number };
  const runs: Run[] = [];
  // The rows each API phase's events become: the admin's, from the generator's user agent, over loopback.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const userId = (await admin.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [ADMIN.email])).rows[0]!.id;
  // Where the machine's CPU goes in the two timed phases (resource-usage: the API process, this
  // database's backends, PostgreSQL's own processes, this process, the rest, iowait, idle).
  const watched: Watched = { herald: { api: apis.pids() }, database: database.name, pool, postmaster: await postmasterOf(pool), redisPort: null };
  const measure = () => snapshot(watched);
  const copyRound = async (events: readonly ClientEvent[]) => {
    const { columns, blocks } = sameRowsCopy(events, BATCH, { userId, userAgent: BENCH_USER_AGENT, ip: '127.0.0.1' }, Date.now());
    const half = Math.ceil(blocks.length / 2);
    const clients = await copyClients(url, 2);
    try {
      await admin.query('CHECKPOINT');
      const cpu0 = await measure();
      const t0 = performance.now();
      const rows = await copyBlocks(clients, 'analytics_events', columns, [blocks.slice(0, half), blocks.slice(half)]);
      const rate = Math.round(rows / seconds(t0));
      cpu.copy = msPerUnit(cpu0, await measure(), rows / BATCH);
      return rate;
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  };
  let clientCpu = 0;
  // The machine's CPU a 500 rows, by part, in the COPY phase and the headline HTTP phase of the round.
  const cpu: Partial<Run['cpuPer500']> = {};
  const post = async (urls: readonly string[], token: string, seed: number, headline?: readonly ClientEvent[]) => {
    if (headline) await admin.query('CHECKPOINT');
    const result = await ingestOverHttp(urls, token, HTTP_EVENTS, HTTP_CONCURRENCY, seed, headline ? { snapshot: measure, events: headline } : {});
    if (headline) {
      cpu.api = result.cpuPerRequest!;
      clientCpu = result.clientCpuMsPerRequest;
    }
    return result.eventsPerSec;
  };
  for (let n = 0; n < ROUNDS; n++) {
    const phases = ['copy', 'api', ...(SCALE_APIS > 1 ? ['scale'] : []), 'inProcess'];
    if (n % 2) phases.reverse();
    const rates: Record<string, number> = {};
    // The COPY copies the rows the headline HTTP phase stores: the same events, built once. Each of the
    // two timed phases starts after a CHECKPOINT (untimed): a checkpoint's sync stalled whichever phase
    // it fell in, and the phase after one starts with clean buffers.
    const headline = phaseEvents(1_000 + n * 10, HTTP_EVENTS);
    for (const [k, phase] of phases.entries()) {
      const seed = 1_000 + n * 10 + k + 1;
      if (phase === 'copy') rates.copy = await copyRound(headline);
      else if (phase === 'api') rates.api = await post(apis.urls.slice(0, 1), apiToken, seed, headline);
      else if (phase === 'scale') rates.scale = await post(apis.urls, apiToken, seed);
      else rates.inProcess = await post([inProcess.url], inProcess.token, seed);
    }
    const dead = apis.dead();
    if (dead.length) throw new Error(`API process(es) exited during round ${n + 1}: ${dead.join(', ')}`);
    const ratio = (r: number) => round(r / rates.copy!, 3);
    const run: Run = {
      first: n % 2 ? 'http' : 'copy', copyRowsPerSec: rates.copy!, httpEventsPerSec: rates.api!, ratio: ratio(rates.api!), clientCpuMsPerRequest: clientCpu, cpuPer500: { copy: cpu.copy!, api: cpu.api! },
      inProcessEventsPerSec: rates.inProcess!, ratioInProcess: ratio(rates.inProcess!),
      ...(rates.scale ? { scaleEventsPerSec: rates.scale, ratioScale: ratio(rates.scale) } : {}),
    };
    log(`round ${n + 1}/${ROUNDS} (${run.first} first): COPY ${run.copyRowsPerSec} rows/s, HTTP (1 API process) ${run.httpEventsPerSec} events/s, ratio ${run.ratio}; in-process ${run.inProcessEventsPerSec} (${run.ratioInProcess})${run.ratioScale ? `; ${SCALE_APIS} API processes ${run.scaleEventsPerSec} (${run.ratioScale})` : ''}`);
    runs.push(run);
  }
  await admin.end();
  const stats = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
  const ratios = stats(runs.map((r) => r.ratio));
  return {
    rounds: ROUNDS, rowsEach: HTTP_EVENTS, http: 'one API process of its own (node dist/main.js api), the load from the bench process', client: HTTP_CLIENT, runs,
    ratioMedian: ratios.median, ratioMin: ratios.min, ratioMax: ratios.max,
    // The order within a round moved its ratio by ~0.02: the median of each order apart.
    ratioMedianByFirst: { copy: median(runs.filter((r) => r.first === 'copy').map((r) => r.ratio)), http: median(runs.filter((r) => r.first === 'http').map((r) => r.ratio)) },
    copyRowsPerSecMedian: median(runs.map((r) => r.copyRowsPerSec)), httpEventsPerSecMedian: median(runs.map((r) => r.httpEventsPerSec)),
    // Where the CPU of 500 rows went (median of the rounds, each part on its own): the API process, PostgreSQL, this process (the generator), idle.
    cpuPer500Median: Object.fromEntries((['copy', 'api'] as const).map((phase) => [phase, Object.fromEntries(
      Object.keys(runs[0]!.cpuPer500[phase]).map((part) => [part, median(runs.map((r) => r.cpuPer500[phase][part] ?? 0))]))])),
    // Continuity with earlier sections: the API inside the bench process, sharing its thread with the generator.
    inProcess: { ratio: stats(runs.map((r) => r.ratioInProcess)), eventsPerSecMedian: median(runs.map((r) => r.inProcessEventsPerSec)) },
    ...(SCALE_APIS > 1 ? { horizontalScale: { apiProcesses: SCALE_APIS, ratio: stats(runs.map((r) => r.ratioScale!)), eventsPerSecMedian: median(runs.map((r) => r.scaleEventsPerSec!)) } } : {}),
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2, 3);
};

async function readLatencies(app: App, token: string, path: string, requests = READS): Promise<{ requests: number; p50Ms: number; p99Ms: number; maxMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < requests + 20; i++) {
    const t0 = performance.now();
    const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    if (i >= 20) times.push(performance.now() - t0);
  }
  return { requests: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: percentile(times, 100) };
}

async function main() {
  const prefix = `banl${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  let pool: pg.Pool | null = null;
  let apis: ApiProcesses | null = null;
  try {
    database = await createScratchDatabase(uniqueName('analytics'));
    await migrate(database.url);
    const month = dataMonth(new Date());
    // The in-process app and the API processes share these settings (one session secret, so one token).
    const env = {
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, RATE_LIMITS: 'off', SESSION_SECRET: 'bench-analytics-session-secret-0123456789abcdef',
      ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
    };
    app = await createApp(loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'warn' }), { roles: ['api'], logger: createLogger('warn', process.stderr), print: log });
    await app.start();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await app.services.analytics.ingest.events.ensurePartitions(periodsOverlapping('monthly', month, new Date(month.getTime() + DAYS * DAY_MS)));

    const catalog = makeCatalog(1);
    const perStream = Math.ceil(EVENTS / 2);
    const t0 = performance.now();
    const copied = await copyInParallel(database.url, 'analytics_events', EVENT_COLUMNS,
      [0, 1].map((k) => eventRows(k + 1, Math.min(perStream, EVENTS - k * perStream), month, DAYS * DAY_MS, catalog)), { label: 'COPY analytics_events', total: EVENTS });
    const copySeconds = seconds(t0);
    log('VACUUM ANALYZE');
    await pool.query('VACUUM ANALYZE analytics_events');
    await pool.query('CREATE TABLE bench_rollups (LIKE analytics_rollups INCLUDING ALL)');

    const appUrl = app.url!;
    const token = await loginToken(appUrl, ADMIN);
    log(`HTTP ingestion (in-process app): ${HTTP_EVENTS} events`);
    // The old single figure, kept for continuity: the app in this process, cold, against part 1's COPY.
    const http = { where: 'in-process', ...await ingestOverHttp([appUrl], token, HTTP_EVENTS, HTTP_CONCURRENCY, 7) };
    const copy = { rows: copied, seconds: round(copySeconds), rowsPerSec: Math.round(copied / copySeconds) };
    let rounds = null;
    if (ROUNDS > 0) {
      apis = await startApiProcesses(Math.max(1, SCALE_APIS), env);
      const apiToken = await loginToken(apis.urls[0]!, ADMIN);
      // Each API process gets the load the in-process app had above before any round is timed.
      for (const [k, url] of apis.urls.entries()) await ingestOverHttp([url], apiToken, HTTP_EVENTS, HTTP_CONCURRENCY, 8 + k);
      log(`interleaved rounds: ${ROUNDS} × (COPY ${HTTP_EVENTS} rows, HTTP ${HTTP_EVENTS} events to 1 API process${SCALE_APIS > 1 ? `, to ${SCALE_APIS}` : ''}, and in-process)`);
      rounds = await interleavedRounds({ url: appUrl, token }, apis, apiToken, database, pool);
    }
    const ingestion = { bareCopy: copy, http, ratioToCopy: round(http.eventsPerSec / copy.rowsPerSec, 3), ...(rounds ? { rounds } : {}) };
    const machine = () => ({ cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((n) => round(n)) });
    if (INGESTION_ONLY) {
      process.stdout.write(`${JSON.stringify({ benchmark: 'analytics', only: 'ingestion', date: new Date().toISOString(), machine: machine(), ingestion }, null, 2)}\n`);
      return;
    }

    const mid = new Date(month.getTime() + 14 * DAY_MS);
    const week = periodStartOf('weekly', new Date(month.getTime() + 7 * DAY_MS));
    const rollups = {
      hourly: await timeRollup(app, pool, 'hourly', new Date(mid.getTime() + 14 * HOUR_MS)),
      daily: await timeRollup(app, pool, 'daily', mid),
      weekly: await timeRollup(app, pool, 'weekly', week),
      monthly: await timeRollup(app, pool, 'monthly', month),
    };

    log(`daily rollups of ${DAYS} days`);
    let t1 = performance.now();
    for (let d = 0; d < DAYS; d++) await app.services.analytics.aggregation.run({ type: 'daily', start: new Date(month.getTime() + d * DAY_MS), trigger: 'backfill' });
    const dailyAll = round(seconds(t1));
    // 90 days of daily rows: the 30 computed, repeated 30 and 60 days earlier.
    await sql`INSERT INTO analytics_rollups SELECT period_type, level, dimension_id, period_start - s * interval '1 day', events, views, clicks, conversions, other_events, revenue_cents, unique_visitors, engagement_time, computed_at
      FROM analytics_rollups CROSS JOIN (VALUES (30), (60)) AS v(s) WHERE period_type = 'daily'`.execute(app.database.db);
    await sql`INSERT INTO analytics_rollup_periods SELECT period_type, period_start - s * interval '1 day', period_end - s * interval '1 day', started_at, completed_at, NULL
      FROM analytics_rollup_periods CROSS JOIN (VALUES (30), (60)) AS v(s) WHERE period_type = 'daily' ON CONFLICT DO NOTHING`.execute(app.database.db);
    await pool.query('VACUUM ANALYZE analytics_rollups');
    const last = new Date(month.getTime() + (DAYS - 1) * DAY_MS);
    const range = `startDate=${new Date(last.getTime() - 89 * DAY_MS).toISOString().slice(0, 10)}&endDate=${last.toISOString().slice(0, 10)}&granularity=day`;
    const brand = (await pool.query<{ id: string }>(`SELECT dimension_id AS id FROM analytics_rollups WHERE period_type = 'daily' AND level = 'brand' GROUP BY 1 ORDER BY sum(views) DESC LIMIT 1`)).rows[0]!.id;
    log(`reads: ${READS} × 90-day daily series`);
    t1 = performance.now();
    const reads = {
      overview90dDaily: await readLatencies(app, token, `/api/analytics/platform/overview?${range}`),
      brand90dDaily: await readLatencies(app, token, `/api/analytics/brand/${brand}?${range}`),
      // Not a target: top-N sums every asset's daily rows (the weekly/monthly rows shorten it in production).
      topAssets90d: await readLatencies(app, token, `/api/analytics/platform/assets?${range}&limit=10`, Math.min(READS, 50)),
    };
    log(`reads done in ${round(seconds(t1))} s`);

    const result = {
      benchmark: 'analytics',
      date: new Date().toISOString(),
      machine: machine(),
      dataset: { events: copied, days: DAYS, from: month.toISOString(), assets: catalog.assets.length, brands: catalog.brands.length, creators: catalog.creators.length, visitors: catalog.users.length * 9 },
      ingestion,
      rollups: { ...rollups, allDailiesOf30DaysSeconds: dailyAll, targetRatio: TARGETS.rollupRatio, meetsTarget: Object.values(rollups).every((r) => r.ratio <= TARGETS.rollupRatio) },
      reads: { ...reads, targetP99Ms: TARGETS.readP99Ms, meetsTarget: reads.overview90dDaily.p99Ms < TARGETS.readP99Ms && reads.brand90dDaily.p99Ms < TARGETS.readP99Ms },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await pool?.end().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await apis?.stop().catch(() => undefined);
    await database?.drop().catch((err: unknown) => log(`could not drop ${database?.name}: ${String(err)}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
