/**
 * bench:delivery — how fast notifications become emails, and how fast a fan-out creates rows,
 * each against the best bare configuration measured in the same run.
 *
 * 1. bursts (issue 21): the real service in-process (all roles, SMTP_URL = a counting sink),
 *    BENCH_USERS users with default (IMMEDIATE) preferences. After an untimed warm-up of both
 *    sides, a burst of BENCH_BURST emails (BENCH_BURST_REPEATS times, median ratio) and one of
 *    BENCH_NOTIFICATIONS, each POSTed to /api/admin/notifications (1,000 users a call) and timed
 *    from the first call until the sink has the last email; each right after its baseline: bare
 *    pooled nodemailer (10 TCP_NODELAY connections, 20 messages in flight) sending as many
 *    messages, rendered by the service's template, into the same sink.
 *    Then (part `probes`) ~200 notifications, one at a time through POST /api/admin/notifications,
 *    each timed until the recipient's GET /api/notifications shows it.
 * 2. fanout (part `fanout`): BENCH_FANOUT_USERS VIEWERs, `create({ role: 'VIEWER' })` timed until
 *    the batch is completed (fan-out worker only), then their delivery by a delivery-only worker,
 *    then a bare multi-row INSERT of as many rows (1,000 a statement) into the emptied table.
 *
 * stdout gets one JSON document; progress goes to stderr. Databases and Redis keys are removed.
 *
 *   npm run bench:delivery
 *   BENCH_DELIVERY_PARTS= BENCH_NOTIFICATIONS=20000 npm run bench:delivery   # bursts only
 *   BENCH_USERS=500 BENCH_NOTIFICATIONS=2500 BENCH_BURST=1000 BENCH_FANOUT_USERS=5000 npm run bench:delivery   # smoke
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
import { breakdown, cpuBetween, cpuSnapshot, login, probeVisibility } from './lib/delivery-probes.js';
import { apiBurst, median } from './lib/delivery-bursts.js';

const USERS = intEnv('BENCH_USERS', 10_000);
const NOTIFICATIONS = intEnv('BENCH_NOTIFICATIONS', 50_000);
const FANOUT_USERS = intEnv('BENCH_FANOUT_USERS', 100_000);
const SAMPLE = Math.min(intEnv('BENCH_VISIBILITY_SAMPLE', 200), USERS);
const BURST = intEnv('BENCH_BURST', 5_000);
const BURST_REPEATS = intEnv('BENCH_BURST_REPEATS', 3);
const WARMUP = intEnv('BENCH_WARMUP', 1_000);
const PARTS = new Set((process.env.BENCH_DELIVERY_PARTS ?? 'probes,fanout').split(',').filter(Boolean));
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_SEC', 900) * 1000;
const FANOUT_DELIVERY_BUDGET_MS = intEnv('BENCH_FANOUT_DELIVERY_SEC', 300) * 1000;
const USERS_PER_CALL = 1_000;
const SMTP = { maxConnections: 10, inFlight: 20 } as const;
const PASSWORD = 'bench-password-1';
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' } as const;
// Issue 21: a 5,000 burst at half the bare rate, 50,000 at 70 % (both from the first API call).
const TARGETS = { burstRatio: 0.5, deliveryRatio: 0.7, fanoutRatio: 0.5, createToInboxP95Ms: 50 } as const;

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

/** The bare baseline of one burst: `count` messages by pooled nodemailer into the same sink. */
async function bare(sink: CountingSink, count: number) {
  const before = sink.count;
  const cpu = await cpuSnapshot();
  const seconds = await sendBare(sink.url, count, SMTP);
  const cpuUse = cpuBetween(cpu, await cpuSnapshot());
  if (sink.count - before !== count) throw new Error(`baseline: sink got ${sink.count - before} of ${count}`);
  log(`baseline: ${count.toLocaleString('en')} in ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} emails/s`);
  return { emails: count, seconds: fixed(seconds, 3), emailsPerSec: Math.round(count / seconds), cpu: cpuUse };
}

/**
 * Issue 21: IMMEDIATE bursts through POST /api/admin/notifications (1,000 users a call), each
 * timed from the first call until the sink has the last email, against bare nodemailer into the
 * same sink right before it. The small burst runs BURST_REPEATS times (median ratio): it lasts
 * seconds, and one run is at the mercy of whatever else the machine does.
 */
async function herald(cleanups: Cleanups) {
  const env = await environment('delivery', USERS, cleanups);
  const app = await env.start();
  const { sink, userIds } = env;
  const adminToken = await login(app.url!, ADMIN.email, ADMIN.password);
  const burst = (count: number) => apiBurst({ baseUrl: app.url!, adminToken, userIds, count, sink, perCall: USERS_PER_CALL, timeoutMs: TIMEOUT_MS });
  log(`warm-up: ${WARMUP.toLocaleString('en')} bare messages and a burst of ${WARMUP.toLocaleString('en')} (untimed)`);
  await sendBare(sink.url, WARMUP, SMTP);
  await burst(WARMUP);

  const small = [];
  for (let r = 0; r < BURST_REPEATS; r++) {
    const base = await bare(sink, BURST);
    const her = await burst(BURST);
    log(`burst ${r + 1}: ${BURST.toLocaleString('en')} in ${her.seconds.toFixed(2)} s (${her.emailsPerSec}/s, first email after ${her.firstEmailSeconds} s) = ${(her.emailsPerSec / base.emailsPerSec).toFixed(3)} of bare`);
    small.push({ baseline: base, herald: her, ratio: fixed(her.emailsPerSec / base.emailsPerSec, 3) });
  }

  const base = await bare(sink, NOTIFICATIONS);
  const cpu = await cpuSnapshot(env.database.name);
  const startedWall = Date.now();
  const big = await burst(NOTIFICATIONS);
  const cpuUse = cpuBetween(cpu, await cpuSnapshot(env.database.name));
  const { rows } = await app.database.pool.query<{ id: string; ms: string }>(
    'SELECT id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS ms FROM notifications WHERE created_at >= $1', [new Date(startedWall - 1)]);
  const latencies: number[] = [];
  for (const row of rows) {
    const at = sink.firstArrival.get(row.id);
    if (at !== undefined) latencies.push(at - Number(row.ms));
  }
  const where = await breakdown(app.database.pool);
  const ratio = fixed(big.emailsPerSec / base.emailsPerSec, 3);
  log(`herald: ${NOTIFICATIONS.toLocaleString('en')} in ${big.seconds.toFixed(1)} s, ${big.emailsPerSec} emails/s (${ratio} of bare ${base.emailsPerSec}/s), ${latencies.length} distinct emailed`);

  const beforeProbes = sink.count;
  const inbox = PARTS.has('probes') ? await probeVisibility(app, userIds, SAMPLE, { admin: ADMIN, password: PASSWORD }) : [];
  // The probes are emailed too; let that finish before the app stops.
  const probesEmailed = await sink.waitFor('probe emails', beforeProbes + inbox.length, 30_000);
  const smallRatio = fixed(median(small.map((s) => s.ratio)), 3);
  return {
    burst: { emails: BURST, repeats: BURST_REPEATS, ratioToBaseline: smallRatio, runs: small },
    baseline: base,
    herald: {
      emails: NOTIFICATIONS, seconds: big.seconds, emailsPerSec: big.emailsPerSec, ratioToBaseline: ratio,
      firstEmailSeconds: big.firstEmailSeconds, callsSeconds: big.callsSeconds,
      createToSmtpMs: percentiles(latencies), createToInboxMs: percentiles(inbox),
      distinctEmailed: latencies.length, extraMessages: big.extraMessages, duplicates: big.duplicates,
      details: { createCalls: big.calls, cpu: cpuUse, unmatched: sink.unmatched, inboxProbes: inbox.length, probeEmailsDelivered: probesEmailed, ...where },
    },
    exactlyOnce: small.every((s) => s.herald.extraMessages === 0 && s.herald.duplicates === 0)
      && big.extraMessages === 0 && big.duplicates === 0 && latencies.length === NOTIFICATIONS,
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
  log(`scale: ${USERS} users, bursts of ${BURST} (x${BURST_REPEATS}) and ${NOTIFICATIONS}, fan-out to ${FANOUT_USERS}; parts ${[...PARTS].join(',')}; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const her = await herald(cleanups);
  await cleanUp(cleanups);
  const fan = PARTS.has('fanout') ? await fanout(cleanups) : null;
  await cleanUp(cleanups);
  const report = {
    benchmark: 'delivery',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAverageAtEnd: os.loadavg().map((l) => fixed(l)) },
    scale: { users: USERS, burst: BURST, burstRepeats: BURST_REPEATS, notifications: NOTIFICATIONS, fanoutUsers: FANOUT_USERS, inboxSample: SAMPLE, warmup: WARMUP },
    burst: her.burst,
    baseline: her.baseline,
    herald: her.herald,
    fanout: fan,
    targets: TARGETS,
    pass: {
      burst: her.burst.ratioToBaseline >= TARGETS.burstRatio,
      delivery: her.herald.ratioToBaseline >= TARGETS.deliveryRatio,
      fanout: fan ? fan.ratio >= TARGETS.fanoutRatio : null,
      createToInbox: her.herald.createToInboxMs.p95 < TARGETS.createToInboxP95Ms,
      exactlyOnce: her.exactlyOnce,
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
