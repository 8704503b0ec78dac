import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLogger } from '../../src/platform/logger.js';
import { hashPassword } from '../../src/platform/password.js';
import { CountingSink } from './counting-sink.js';
import { REDIS_URL, copyRows, createScratchDatabase, deleteRedisPrefix, log, uniqueName } from './database.js';
import { CONTENT } from './delivery-helpers.js';
import { intEnv } from './env.js';
import { USER_COLUMNS, userRows } from './seed-data.js';

/**
 * bench:admin part `history`: what recording job history costs the delivery benchmark's workload
 * (issue 19: at most 5 % of its throughput), measured in one run with JOB_HISTORY on and off.
 *
 * The workload is bench:delivery's: BENCH_HISTORY_EMAILS notifications (15,000) to users with default
 * preferences through `notifications.create({ userIds })`, 1,000 a call, timed until the SMTP sink
 * has every email, by a whole service in this process (all roles). Each round starts a fresh app
 * with JOB_HISTORY=on or off over the same database, emptied between rounds (notifications, email
 * log, outbox, job history), and the rounds run ABBA (on, off, off, on, ...: BENCH_HISTORY_PAIRS
 * pairs, 2 by default) so a drift of the machine over the run weighs on both alike; one warm-up
 * round first is not counted.
 *
 * Two scenarios: `delivery` as configured by default (DELIVERY_BATCH_SIZE 100: 100 emails a job, so
 * few history rows), and `jobPerEmail` (DELIVERY_BATCH_SIZE=1: one job, one history row per email),
 * the writer's worst case on this workload. The target applies to both.
 */
// 15,000: at ~2,000 emails/s (herald's SMTP client) 5,000 made 2.4 s rounds, too short to tell 5 % from noise.
const EMAILS = intEnv('BENCH_HISTORY_EMAILS', 15_000);
const USERS = Math.min(intEnv('BENCH_HISTORY_USERS', 1_000), EMAILS);
const PAIRS = intEnv('BENCH_HISTORY_PAIRS', 2);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_SEC', 600) * 1000;
const MAX_COST = 0.05;
const PER_CALL = 1_000;

type Mode = 'on' | 'off';
const fixed = (n: number, digits = 3) => Number(n.toFixed(digits));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** on, off, off, on, on, off, off, on, ... (ABBA: a linear drift cancels within each pair of pairs). */
export function abba(pairs: number): Mode[] {
  return Array.from({ length: pairs * 2 }, (_, i) => ((i % 4 === 0 || i % 4 === 3) ? 'on' : 'off'));
}

async function scenario(name: string, deliveryBatch: number): Promise<object> {
  const prefix = `bhis${randomBytes(4).toString('hex')}`;
  const database = await createScratchDatabase(uniqueName('admin_history'));
  const sink = await new CountingSink().start();
  const apps: App[] = [];
  try {
    await migrate(database.url);
    const userIds = Array.from({ length: USERS }, () => randomUUID());
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await copyRows(admin, 'users', USER_COLUMNS, userRows(userIds, await hashPassword('bench-password-1'), Date.now()));
      await admin.query('ANALYZE users');
    } finally {
      await admin.end();
    }
    const calls: string[][] = [];
    for (let left = EMAILS; left > 0;) {
      for (let i = 0; i < userIds.length && left > 0; i += PER_CALL) {
        const slice = userIds.slice(i, i + Math.min(PER_CALL, left));
        calls.push(slice);
        left -= slice.length;
      }
    }

    const round = async (mode: Mode, label: string) => {
      const config = loadConfig({
        NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix,
        SMTP_URL: sink.url, RATE_LIMITS: 'off', LOG_LEVEL: 'warn', ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-admin-password',
        JOB_HISTORY: mode, DELIVERY_BATCH_SIZE: String(deliveryBatch),
      });
      const app = await createApp(config, { logger: createLogger('warn', process.stderr), print: log });
      apps.push(app);
      await app.start();
      sink.reset();
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const ids of calls) await app.services.notifications.create({ userIds: ids }, CONTENT);
      if (!(await sink.waitFor(`${name} ${label}`, EMAILS, TIMEOUT_MS))) throw new Error(`${name} ${label}: ${sink.count} of ${EMAILS} emails`);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      await app.stop(); // its writer's final flush: every outcome of the round is in the table now
      apps.pop();
      const pool = new pg.Client({ connectionString: database.url });
      await pool.connect();
      try {
        const { rows: [counts] } = await pool.query<{ rows: string; jobs: string }>(`SELECT
          (SELECT count(*) FROM job_history) AS rows,
          (SELECT count(*) FROM outbox WHERE queue = 'notification-delivery') AS jobs`);
        // The next round starts from the same empty tables (their growth would be a drift of its own).
        await pool.query('TRUNCATE notifications, notification_batches, email_log, outbox, job_history CASCADE');
        await deleteRedisPrefix(REDIS_URL, prefix);
        const emailsPerSec = Math.round(EMAILS / seconds);
        log(`${name} ${label}: JOB_HISTORY=${mode} ${emailsPerSec} emails/s, ${counts!.jobs} delivery jobs, ${counts!.rows} history rows`);
        // This process's CPU per email (the service's side only): steadier than wall time on a busy machine.
        const cpuMsPerEmail = fixed((used.user + used.system) / 1000 / EMAILS, 3);
        return { history: mode, seconds: fixed(seconds, 2), emailsPerSec, cpuMsPerEmail, deliveryJobs: Number(counts!.jobs), historyRows: Number(counts!.rows) };
      } finally {
        await pool.end();
      }
    };

    await round('on', 'warm-up');
    const rounds = [];
    for (const [i, mode] of abba(PAIRS).entries()) rounds.push(await round(mode, `round ${i + 1}`));
    const on = mean(rounds.filter((r) => r.history === 'on').map((r) => r.emailsPerSec));
    const off = mean(rounds.filter((r) => r.history === 'off').map((r) => r.emailsPerSec));
    const cost = 1 - on / off;
    const cpuOn = mean(rounds.filter((r) => r.history === 'on').map((r) => r.cpuMsPerEmail));
    const cpuOff = mean(rounds.filter((r) => r.history === 'off').map((r) => r.cpuMsPerEmail));
    return {
      deliveryBatchSize: deliveryBatch, rounds,
      emailsPerSec: { on: Math.round(on), off: Math.round(off) }, ratioOnToOff: fixed(on / off), costPercent: fixed(cost * 100, 1),
      cpuMsPerEmail: { on: fixed(cpuOn), off: fixed(cpuOff), extraPercent: fixed((cpuOn / cpuOff - 1) * 100, 1) },
      pass: cost <= MAX_COST,
    };
  } finally {
    for (const app of apps) await app.stop().catch(() => undefined);
    await sink.stop();
    await database.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

/** The `history` part of bench:admin. */
export async function historyPart(): Promise<object> {
  log(`history: ${EMAILS.toLocaleString('en')} emails to ${USERS.toLocaleString('en')} users a round, ${PAIRS * 2} rounds (ABBA) + a warm-up, per scenario`);
  const delivery = await scenario('delivery', intEnv('BENCH_HISTORY_DELIVERY_BATCH', 100));
  const jobPerEmail = await scenario('jobPerEmail', 1);
  return {
    emails: EMAILS, users: USERS, pairs: PAIRS, delivery, jobPerEmail,
    targets: { maxCostPercent: MAX_COST * 100 },
    pass: { delivery: (delivery as { pass: boolean }).pass, jobPerEmail: (jobPerEmail as { pass: boolean }).pass },
  };
}
