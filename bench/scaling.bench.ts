/**
 * bench:scaling — how herald's throughput grows with processes on this machine, and which
 * resource stops it (the measurements behind docs/SCALING.md).
 *
 * The code under test is the compiled build of one commit (HEAD by default, SCALING_REF), built
 * into a private directory; every role runs as its own OS process (`node dist/main.js api|worker`)
 * against a fresh copy of a seeded database on the PostgreSQL server at BENCH_DATABASE_URL, a
 * unique prefix on the Redis at 127.0.0.1:6379, and an SMTP sink in this process. For each
 * measurement the CPU of every process group (herald API, herald workers, this database's
 * PostgreSQL backends, PostgreSQL's own processes, redis-server, this benchmark, everything else)
 * is read from /proc, with iowait, disk writes and WAL syncs, and the saturated resource named.
 *
 * 1. baselines: a bare pooled nodemailer into the sink (the SMTP hand-off ceiling in one process),
 *    and the disk's fdatasync rate.
 * 2. emails, for each of SCALING_WORKERS (1,2,4) worker processes: SCALING_EMAILS notifications to
 *    SCALING_USERS IMMEDIATE users through POST /api/admin/notifications (1,000 users a call), timed
 *    to the last email at the sink; each emailed exactly once.
 * 3. fanout, same worker counts (fan-out queue only): one broadcast to SCALING_FANOUT_USERS, then
 *    SCALING_BROADCASTS broadcasts at once; rows/s until every batch is completed.
 * 4. digests, same worker counts: a DAILY run for SCALING_DIGEST_USERS users, 5 unread each.
 * 5. api, for each of SCALING_APIS (1,2) API processes: GET /api/notifications (rotating sessions),
 *    POST /api/notifications/:id/read|unread (each a real change), POST /api/admin/notifications
 *    (one recipient each); SCALING_CONNECTIONS connections, SCALING_SECONDS after a 2 s warm-up.
 *
 * Ratios: each figure against the one-process figure of the same run (and emails against the bare
 * SMTP hand-off). stdout gets one JSON document; progress goes to stderr. Every database, Redis
 * prefix, process and the private build are removed at the end, also on failure or Ctrl-C.
 *
 *   npm run --silent bench:scaling > scaling.json                 # ~6 minutes
 *   SCALING_EMAILS=3000 SCALING_FANOUT_USERS=5000 SCALING_DIGEST_USERS=1000 SCALING_API_USERS=1000 \
 *     SCALING_SECONDS=3 npm run --silent bench:scaling             # smoke, ~2 minutes
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sendBare } from './lib/delivery-helpers.js';
import { CountingSink } from './lib/counting-sink.js';
import { ADMIN_URL, log, type ScratchDatabase } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { postmasterOf, snapshot, usage } from './lib/resource-usage.js';
import { migrateWith, privateBuild } from './lib/scaling-processes.js';
import { seedDigestUsers, seedInboxTemplate, seedUsers, templateDatabase } from './lib/scaling-seed.js';
import { apiRuns, digestRuns, emailRuns, fanoutRuns, type Knobs } from './lib/scaling-runs.js';
import { SESSION_SECRET, fixed, fsyncRate, type Context } from './lib/scaling-phases.js';
import { stopAllLoad } from './lib/scaling-load.js';

function listEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a list of positive integers such as 1,2,4, got "${raw}"`);
  return values;
}

const PHASES = new Set((process.env.SCALING_PHASES ?? 'emails,fanout,digests,api').split(',').map((p) => p.trim()));
const knobs: Knobs = {
  workers: listEnv('SCALING_WORKERS', [1, 2, 4]),
  apis: listEnv('SCALING_APIS', [1, 2]),
  users: intEnv('SCALING_USERS', 10_000),
  emails: intEnv('SCALING_EMAILS', 30_000),
  bareEmails: intEnv('SCALING_BARE_EMAILS', 20_000),
  fanoutUsers: intEnv('SCALING_FANOUT_USERS', 50_000),
  broadcasts: intEnv('SCALING_BROADCASTS', 4),
  digestUsers: intEnv('SCALING_DIGEST_USERS', 10_000),
  apiUsers: intEnv('SCALING_API_USERS', 5_000),
  perUser: intEnv('SCALING_PER_USER', 40),
  sessions: intEnv('SCALING_SESSIONS', 500),
  seconds: intEnv('SCALING_SECONDS', 10),
  connections: intEnv('SCALING_CONNECTIONS', 50),
  timeoutMs: intEnv('SCALING_TIMEOUT_SEC', 600) * 1000,
};

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch((err: Error) => log(`cleanup failed: ${err.message}`));
}

async function template(kind: string, ctx: Context, seed: (url: string) => Promise<void>): Promise<ScratchDatabase> {
  const started = performance.now();
  const db = await templateDatabase(`scaling_${kind}`, (url) => migrateWith(ctx.build, url));
  cleanups.push(() => db.drop());
  await seed(db.url);
  log(`${kind}: template ${db.name} seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return db;
}

/** The bare SMTP hand-off in this one process (client and sink share its thread). */
async function bareSmtp(ctx: Context, admin: pg.Pool) {
  const sink = await new CountingSink().start();
  try {
    await sendBare(sink.url, Math.min(2_000, knobs.bareEmails), { maxConnections: 10, inFlight: 20 });
    sink.reset();
    const watched = { herald: {}, database: '-', pool: admin, postmaster: ctx.postmaster, redisPort: null };
    const a = await snapshot(watched);
    const seconds = await sendBare(sink.url, knobs.bareEmails, { maxConnections: 10, inFlight: 20 });
    const u = usage(a, await snapshot(watched));
    if (sink.count !== knobs.bareEmails) throw new Error(`bare SMTP: the sink got ${sink.count} of ${knobs.bareEmails}`);
    log(`baseline: bare SMTP ${Math.round(knobs.bareEmails / seconds)} emails/s`);
    return { emails: knobs.bareEmails, seconds: fixed(seconds), emailsPerSec: Math.round(knobs.bareEmails / seconds), benchPercentOfOneCore: u.percentOfOneCore.bench, machineBusyPercentOfOneCore: u.machineBusyPercentOfOneCore };
  } finally {
    await sink.stop();
  }
}

async function main(): Promise<void> {
  const loadAverageAtStart = os.loadavg().map((l) => fixed(l));
  log(`load average ${loadAverageAtStart.join(' ')}; phases ${[...PHASES].join(', ')}; workers ${knobs.workers.join(',')}; apis ${knobs.apis.join(',')}`);
  const build = await privateBuild(process.env.SCALING_REF ?? 'HEAD');
  cleanups.push(() => build.remove());
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'herald-scaling-logs-'));
  if (!process.env.SCALING_KEEP_LOGS) cleanups.push(() => rm(logDir, { recursive: true, force: true }));
  else log(`process logs kept in ${logDir}`);
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  cleanups.push(() => admin.end());
  const ctx: Context = { build, logDir, fsyncPerSec: fsyncRate(), postmaster: await postmasterOf(admin) };
  log(`baseline: ${ctx.fsyncPerSec} fdatasync/s (8 KiB); PostgreSQL postmaster pid ${ctx.postmaster}`);
  const bare = PHASES.has('emails') ? await bareSmtp(ctx, admin) : null;

  const report: Record<string, unknown> = {};
  if (PHASES.has('emails')) {
    let userIds: string[] = [];
    const tpl = await template('emails', ctx, async (url) => void (userIds = await seedUsers(url, knobs.users)));
    report.emails = await emailRuns(ctx, knobs, tpl, userIds, bare!.emailsPerSec);
  }
  if (PHASES.has('fanout')) {
    const tpl = await template('fanout', ctx, async (url) => void await seedUsers(url, knobs.fanoutUsers));
    report.fanout = await fanoutRuns(ctx, knobs, tpl);
  }
  if (PHASES.has('digests')) {
    const runAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const tpl = await template('digests', ctx, (url) => seedDigestUsers(url, knobs.digestUsers, 5, runAt));
    report.digests = await digestRuns(ctx, knobs, tpl, runAt);
  }
  if (PHASES.has('api')) {
    let inbox: Awaited<ReturnType<typeof seedInboxTemplate>> | null = null;
    const tpl = await template('api', ctx, async (url) => void (inbox = await seedInboxTemplate(url, knobs.apiUsers, knobs.perUser, knobs.sessions, SESSION_SECRET)));
    report.api = await apiRuns(ctx, knobs, tpl, inbox!);
  }

  const { timeoutMs, ...scale } = knobs;
  process.stdout.write(`${JSON.stringify({
    benchmark: 'scaling',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((l) => fixed(l)) },
    code: { commit: build.commit },
    scale: { ...scale, timeoutSeconds: timeoutMs / 1000 },
    baselines: { fsyncPerSec: ctx.fsyncPerSec, bareSmtp: bare },
    ...report,
  }, null, 1)}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    stopAllLoad();
    void cleanUp().finally(() => process.exit(130));
  });
}
try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
  setTimeout(() => {
    log('handles still open after cleanup; exiting');
    process.exit();
  }, 3_000).unref();
}
