/**
 * bench:delivery — how fast notifications become emails, and how fast a fan-out creates rows,
 * each against the best bare configuration measured in the same run.
 *
 * 1. baseline: pooled nodemailer (10 TCP_NODELAY connections, 20 messages in flight) into an
 *    in-process counting SMTP sink, BENCH_NOTIFICATIONS messages rendered by the service's template.
 * 2. herald: the real service in-process (all roles, SMTP_URL = the sink); BENCH_USERS users with
 *    default (IMMEDIATE) preferences get BENCH_NOTIFICATIONS notifications through
 *    `notifications.create({ userIds })`, 1,000 users a call; timed until the sink has them all.
 *    Then ~200 notifications, one at a time through POST /api/admin/notifications, each timed
 *    until the recipient's GET /api/notifications shows it.
 * 3. fanout: BENCH_FANOUT_USERS VIEWERs, `create({ role: 'VIEWER' })` timed until the batch is
 *    completed (fan-out worker only), then their delivery by a delivery-only worker, then a bare
 *    multi-row INSERT of as many rows (1,000 a statement) into the emptied table.
 *
 * stdout gets one JSON document; progress goes to stderr. Databases and Redis keys are removed.
 *
 *   npm run bench:delivery
 *   BENCH_USERS=500 BENCH_NOTIFICATIONS=2500 BENCH_FANOUT_USERS=5000 npm run bench:delivery   # smoke
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { createApp, type App, type AppOptions } from '../src/app.js';
import { hashPassword } from '../src/platform/password.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { CountingSink } from './lib/counting-sink.js';
import { REDIS_URL, copyRows, createScratchDatabase, deleteRedisPrefix, log, uniqueName } from './lib/database.js';
import { CONTENT, bareInsert, insertSelect, percentiles, sendBare } from './lib/delivery-helpers.js';
import { intEnv } from './lib/env.js';
import { USER_COLUMNS, userRows } from './lib/seed-data.js';
import { breakdown, cpuBetween, cpuSnapshot, probeVisibility } from './lib/delivery-probes.js';

const USERS = intEnv('BENCH_USERS', 10_000);
const NOTIFICATIONS = intEnv('BENCH_NOTIFICATIONS', 50_000);
const FANOUT_USERS = intEnv('BENCH_FANOUT_USERS', 100_000);
const SAMPLE = Math.min(intEnv('BENCH_VISIBILITY_SAMPLE', 200), USERS);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_SEC', 900) * 1000;
const FANOUT_DELIVERY_BUDGET_MS = intEnv('BENCH_FANOUT_DELIVERY_SEC', 300) * 1000;
const USERS_PER_CALL = 1_000;
const SMTP = { maxConnections: 10, inFlight: 20 } as const;
const PASSWORD = 'bench-password-1';
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' } as const;
const TARGETS = { deliveryRatio: 0.5, fanoutRatio: 0.5, createToInboxP95Ms: 50 } as const;

type Cleanups = Array<() => Promise<unknown>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secondsSince = (start: number) => (performance.now() - start) / 1000;
const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Runs the cleanups newest first, each once, whatever happened before. */
async function cleanUp(cleanups: Cleanups): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
  }
}

/** A migrated scratch database with `users` VIEWERs (by COPY), a Redis prefix and a sink. */
async function environment(kind: string, users: number, cleanups: Cleanups) {
  const prefix = `hb${kind}${randomBytes(4).toString('hex')}`;
  const database = await createScratchDatabase(uniqueName(kind));
  cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix), () => database.drop());
  const sink = await new CountingSink().start();
  cleanups.push(() => sink.stop());
  await migrate(database.url);
  const started = performance.now();
  const userIds = Array.from({ length: users }, () => randomUUID());
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await copyRows(client, 'users', USER_COLUMNS, userRows(userIds, await hashPassword(PASSWORD), Date.now()));
    await client.query('ANALYZE users');
  } finally {
    await client.end();
  }
  log(`${kind}: database ${database.name}, prefix ${prefix}, ${users.toLocaleString('en')} users in ${secondsSince(started).toFixed(1)} s`);
  const config = loadConfig({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix,
    SMTP_URL: sink.url, RATE_LIMITS: 'off', LOG_LEVEL: 'warn', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
  });
  const start = async (options: AppOptions = {}): Promise<App> => {
    // The app logs to stdout by default; stdout is reserved for the JSON result.
    const app = await createApp(config, { logger: createLogger(config.logLevel, process.stderr), print: log, ...options });
    const stop = app.stop.bind(app);
    let stopping: Promise<void> | null = null;
    app.stop = () => (stopping ??= stop());
    cleanups.push(() => app.stop());
    await app.start();
    return app;
  };
  return { database, sink, userIds, start };
}

async function baseline(cleanups: Cleanups) {
  const sink = await new CountingSink().start();
  cleanups.push(() => sink.stop());
  log(`baseline: ${NOTIFICATIONS.toLocaleString('en')} messages, bare pooled nodemailer (${SMTP.maxConnections} connections, TCP_NODELAY, ${SMTP.inFlight} in flight)`);
  // Warm up first (JIT, connections): the service, measured later in this process, is warm too.
  await sendBare(sink.url, Math.min(2_000, Math.ceil(NOTIFICATIONS / 5)), SMTP);
  sink.reset();
  const cpu = await cpuSnapshot();
  const seconds = await sendBare(sink.url, NOTIFICATIONS, SMTP);
  const cpuUse = cpuBetween(cpu, await cpuSnapshot());
  if (sink.count !== NOTIFICATIONS) throw new Error(`baseline: sink got ${sink.count} of ${NOTIFICATIONS}`);
  log(`baseline: ${Math.round(NOTIFICATIONS / seconds)} emails/s`);
  return { emails: NOTIFICATIONS, seconds: fixed(seconds), emailsPerSec: Math.round(NOTIFICATIONS / seconds), details: { cpu: cpuUse } };
}

async function herald(cleanups: Cleanups, baselinePerSec: number) {
  const env = await environment('delivery', USERS, cleanups);
  const app = await env.start();
  const { sink, userIds } = env;

  // Rounds over the users, USERS_PER_CALL a call, until NOTIFICATIONS are asked for (5 a user by default).
  const calls: string[][] = [];
  for (let left = NOTIFICATIONS; left > 0;) {
    for (let i = 0; i < userIds.length && left > 0; i += USERS_PER_CALL) {
      const slice = userIds.slice(i, i + Math.min(USERS_PER_CALL, left));
      calls.push(slice);
      left -= slice.length;
    }
  }
  log(`herald: ${calls.length} create() calls of up to ${USERS_PER_CALL} users`);
  const cpu = await cpuSnapshot(env.database.name);
  const started = performance.now();
  let created = 0;
  for (const userIds of calls) created += (await app.services.notifications.create({ userIds }, CONTENT)).created;
  const createSeconds = secondsSince(started);
  log(`herald: ${created.toLocaleString('en')} notifications created in ${createSeconds.toFixed(1)} s (${Math.round(created / createSeconds)}/s); waiting for the sink`);
  if (created !== NOTIFICATIONS) throw new Error(`herald: created ${created} of ${NOTIFICATIONS}`);
  if (!(await sink.waitFor('herald', NOTIFICATIONS, TIMEOUT_MS))) throw new Error(`herald: only ${sink.count} of ${NOTIFICATIONS} emails within ${TIMEOUT_MS / 1000} s`);
  const seconds = secondsSince(started);
  const cpuUse = cpuBetween(cpu, await cpuSnapshot(env.database.name));
  await sleep(2_000); // a late duplicate would arrive now
  const rawMessages = sink.count;

  const { rows } = await app.database.pool.query<{ id: string; ms: string }>(
    'SELECT id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS ms FROM notifications');
  const latencies: number[] = [];
  for (const row of rows) {
    const at = sink.firstArrival.get(row.id);
    if (at !== undefined) latencies.push(at - Number(row.ms));
  }
  const where = await breakdown(app.database.pool);
  const emailsPerSec = Math.round(NOTIFICATIONS / seconds);
  log(`herald: ${emailsPerSec} emails/s (${(emailsPerSec / baselinePerSec).toFixed(2)} of baseline), ${latencies.length} distinct emailed, ${rawMessages} messages`);

  const inbox = await probeVisibility(app, userIds, SAMPLE, { admin: ADMIN, password: PASSWORD });
  // The probes are emailed too; let that finish before the app stops.
  const probesEmailed = await sink.waitFor('probe emails', rawMessages + SAMPLE, 30_000);
  return {
    emails: NOTIFICATIONS, seconds: fixed(seconds), emailsPerSec, ratioToBaseline: fixed(emailsPerSec / baselinePerSec, 3),
    createToSmtpMs: percentiles(latencies), createToInboxMs: percentiles(inbox),
    distinctEmailed: latencies.length, rawMessages,
    details: {
      createCalls: calls.length, createSeconds: fixed(createSeconds),
      cpu: cpuUse,
      duplicates: sink.duplicates, unmatched: sink.unmatched, inboxProbes: inbox.length, probeEmailsDelivered: probesEmailed,
      ...where,
    },
  };
}

async function fanout(cleanups: Cleanups) {
  const env = await environment('fanout', FANOUT_USERS, cleanups);
  // Row creation only: this process runs the fan-out queue; delivery jobs wait in Redis.
  const app = await env.start({ roles: ['api', 'worker'], queues: ['notification-fanout'] });
  const { notifications } = app.services;
  const cpu = await cpuSnapshot(env.database.name);
  const started = performance.now();
  const { batchId } = await notifications.create({ role: 'VIEWER' }, CONTENT);
  let batch = await notifications.getBatch(batchId);
  while (batch.status !== 'completed') {
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`fanout: batch ${batch.status} after ${TIMEOUT_MS / 1000} s, ${batch.created} rows`);
    await sleep(5);
    batch = await notifications.getBatch(batchId);
  }
  const seconds = secondsSince(started);
  const cpuUse = cpuBetween(cpu, await cpuSnapshot(env.database.name));
  const rows = batch.created;
  if (rows !== FANOUT_USERS) throw new Error(`fanout: ${rows} rows for ${FANOUT_USERS} users`);
  log(`fanout: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)`);

  // Then the delivery of those rows, by a worker serving only the delivery queue.
  const deliveryStarted = performance.now();
  const deliverer = await env.start({ roles: ['worker'], queues: ['notification-delivery'] });
  const delivered = await env.sink.waitFor('fanout delivery', rows, FANOUT_DELIVERY_BUDGET_MS);
  const deliverySeconds = secondsSince(deliveryStarted);
  log(`fanout delivery: ${env.sink.count.toLocaleString('en')} emails in ${deliverySeconds.toFixed(1)} s${delivered ? '' : ' (budget reached: partial)'}`);
  await deliverer.stop();
  await app.stop();

  // The bare baseline: as many rows, same columns, into the emptied table, nothing else running.
  const users = [...env.userIds].sort();
  const truncate = async () => {
    const admin = new pg.Client({ connectionString: env.database.url });
    await admin.connect();
    await admin.query('TRUNCATE notifications, email_log, email_events').finally(() => admin.end());
  };
  await truncate();
  const bareSeconds = await bareInsert(env.database.url, users, CONTENT, batchId);
  const bareInsertRowsPerSec = Math.round(users.length / bareSeconds);
  log(`fanout: bare INSERT ${users.length.toLocaleString('en')} rows in ${bareSeconds.toFixed(2)} s (${bareInsertRowsPerSec} rows/s)`);
  await truncate();
  const reference = await insertSelect(env.database.url, CONTENT, batchId);
  log(`fanout: one INSERT … SELECT of ${reference.rows.toLocaleString('en')} rows in ${reference.seconds.toFixed(2)} s`);
  const rowsPerSec = Math.round(rows / seconds);
  return {
    rows, seconds: fixed(seconds), rowsPerSec, bareInsertRowsPerSec, ratio: fixed(rowsPerSec / bareInsertRowsPerSec, 3),
    insertSelectRowsPerSec: Math.round(reference.rows / reference.seconds), cpu: cpuUse,
    delivery: delivered
      ? { emails: env.sink.count, seconds: fixed(deliverySeconds, 1), emailsPerSec: Math.round(env.sink.count / deliverySeconds), distinctEmailed: env.sink.firstArrival.size }
      : { skipped: `budget of ${FANOUT_DELIVERY_BUDGET_MS / 1000} s reached`, emailsSoFar: env.sink.count, seconds: fixed(deliverySeconds, 1) },
  };
}

async function main(cleanups: Cleanups): Promise<void> {
  log(`scale: ${USERS} users, ${NOTIFICATIONS} notifications, fan-out to ${FANOUT_USERS}; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const base = await baseline(cleanups);
  await cleanUp(cleanups);
  const her = await herald(cleanups, base.emailsPerSec);
  await cleanUp(cleanups);
  const fan = await fanout(cleanups);
  await cleanUp(cleanups);
  const report = {
    benchmark: 'delivery',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAverageAtEnd: os.loadavg().map((l) => fixed(l)) },
    scale: { users: USERS, notifications: NOTIFICATIONS, fanoutUsers: FANOUT_USERS, inboxSample: SAMPLE },
    baseline: base,
    herald: her,
    fanout: fan,
    targets: TARGETS,
    pass: {
      delivery: her.ratioToBaseline >= TARGETS.deliveryRatio,
      fanout: fan.ratio >= TARGETS.fanoutRatio,
      createToInbox: her.createToInboxMs.p95 < TARGETS.createToInboxP95Ms,
      exactlyOnce: her.distinctEmailed === NOTIFICATIONS && her.rawMessages === NOTIFICATIONS,
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

const cleanups: Cleanups = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
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
  // Exit by ourselves even if a library left a handle open.
  setTimeout(() => {
    log('handles still open after cleanup; exiting');
    process.exit();
  }, 3_000).unref();
}
