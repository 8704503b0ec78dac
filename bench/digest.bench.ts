import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { waitFor } from '../src/platform/net.js';
import { CountingSink } from './lib/counting-sink.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { sendBare } from './lib/delivery-helpers.js';
import { intEnv } from './lib/env.js';
import { postmasterOf, saturation, snapshot, usage } from './lib/resource-usage.js';
import { migrateWith, privateBuild, ProcessSet, type PrivateBuild } from './lib/scaling-processes.js';

/**
 * bench:digest: a full daily digest run for BENCH_DIGEST_USERS DAILY users with 5 unread
 * notifications each, into an SMTP sink in this process, against the bare pooled nodemailer
 * baseline (TCP_NODELAY, 10 connections) sending as many messages in the same run. Target: < 60 s.
 *
 * The digests are sent by BENCH_DIGEST_WORKERS worker processes (default: one per core), each
 * `node dist/main.js worker --queues notification-digest` of a private build of BENCH_DIGEST_REFS
 * (default HEAD; several, comma-separated, are measured one after the other), as production runs them: one Node process is one core, and a single process
 * left the machine's other core to PostgreSQL and the sink. BENCH_DIGEST_WORKERS=0 sends them in
 * this process instead (the bench before issue 21). The fan-out (the run) is this process's.
 */
const USERS = intEnv('BENCH_DIGEST_USERS', 100_000);
const WORKERS = process.env.BENCH_DIGEST_WORKERS === '0' ? 0 : intEnv('BENCH_DIGEST_WORKERS', os.cpus().length);
/** Refs to measure one after the other in this run, against the same baseline (e.g. `7deb4c9,HEAD`). */
const REFS = (process.env.BENCH_DIGEST_REFS ?? process.env.BENCH_DIGEST_REF ?? 'HEAD').split(',').map((r) => r.trim()).filter(Boolean);
const PER_USER = 5;
const round = (n: number, d = 2) => Number(n.toFixed(d));

async function seed(url: string, runAt: Date): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query(`INSERT INTO users (email, name, role, password_hash)
      SELECT 'digest' || g || '@bench.local', 'Digest ' || g, 'VIEWER', 'x' FROM generate_series(1, $1) g`, [USERS]);
    await client.query(`INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency, email_enabled)
      SELECT id, ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','SYSTEM','MESSAGE','POST_ASSIGNED','POST_STATUS_CHANGED','BLOG'], 'DAILY', true FROM users`);
    await client.query(`INSERT INTO notifications (user_id, type, title, message, action_url, priority, created_at)
      SELECT u.id, (ARRAY['LICENSE','PAYOUT','ROYALTY','PROJECT','MESSAGE']::notification_type[])[k], 'Update ' || k, 'Something happened on your account (' || k || ').',
             '/items/' || k, 'MEDIUM', $1::timestamptz - k * interval '1 hour'
      FROM users u CROSS JOIN generate_series(1, ${PER_USER}) k`, [runAt]);
    await client.query('VACUUM ANALYZE');
    log(`seeded ${USERS} users × ${PER_USER} notifications in ${round((performance.now() - started) / 1000)} s`);
  } finally {
    await client.end();
  }
}

/** "job deferred" lines of the workers' logs: DigestSends that waited (DIGEST_SETTLE_MS, held claims). */
async function deferrals(logDir: string): Promise<number> {
  let n = 0;
  for (const dir of await readdir(logDir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!dir.isFile() || !dir.name.endsWith('.log')) continue;
    n += (await readFile(path.join(dir.parentPath, dir.name), 'utf8')).split('\n').filter((l) => l.includes('"job deferred"')).length;
  }
  return n;
}

/** One digest run of `ref`'s build (null: in this process) into `sink`, on a fresh database. */
async function measure(ref: string | null, sink: CountingSink, bareSeconds: number) {
  const prefix = `bdig${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  let build: PrivateBuild | null = null;
  let procs: ProcessSet | null = null;
  let pool: pg.Pool | null = null;
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'herald-bench-digest-'));
  sink.reset();
  try {
    if (ref) build = await privateBuild(ref);
    database = await createScratchDatabase(uniqueName('digest'));
    if (build) await migrateWith(build, database.url);
    else await migrate(database.url);
    const runAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await seed(database.url, runAt);
    const env = {
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: sink.url, PORT: '0', LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off', ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    };
    // With worker processes, this process only runs the fan-out (no role: no relay, no workers).
    app = await createApp(loadConfig(env), { roles: build ? [] : ['worker'] });
    await app.start();
    if (build) {
      procs = new ProcessSet(build, { ...env, DATA_DIR: path.join(logDir, 'data'), SHUTDOWN_TIMEOUT_MS: '5000' }, logDir);
      await procs.startWorkers(WORKERS, ['notification-digest']);
      log(`${WORKERS} worker process(es) of ${build.commit.slice(0, 8)} started`);
    }
    pool = new pg.Pool({ connectionString: database.url, max: 2, application_name: 'herald-bench-digest' });
    const watched = {
      herald: { worker: procs?.workers.map((p) => p.pid) ?? [] }, database: database.name, pool,
      postmaster: await postmasterOf(pool), redisPort: Number(new URL(REDIS_URL).port || 6379),
    };

    log('digest run');
    const before = await snapshot(watched);
    const started = performance.now();
    const { runId, scanned } = await app.services.digests.run({ frequency: 'DAILY', scope: 'all', runAt, trigger: 'manual' });
    const fanoutSeconds = (performance.now() - started) / 1000;
    log(`fan-out enqueued ${scanned} jobs in ${round(fanoutSeconds)} s`);
    const done = await sink.waitFor('digests', USERS, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const used = usage(before, await snapshot(watched));
    const settled = await waitFor(async () => {
      const c = await app!.queues.get('notification-digest').getJobCounts('waiting', 'active', 'delayed');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0;
    }, 60_000, 200);
    const report = await app.services.digests.runReport(runId);
    const { rows: [logged] } = await pool.query<{ sent: number; keys: number }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(DISTINCT key)::int AS keys FROM email_log WHERE key LIKE 'digest:%'`);
    // CPU per digest (ms) of each group over the run: where the time goes when both cores are busy.
    const p = used.percentOfOneCore as Record<string, number>;
    const msPer = (percent: number) => round(((percent / 100) * used.seconds * 1000) / USERS, 3);
    return {
      workers: build ? { processes: WORKERS, ref, commit: build.commit.slice(0, 8) } : 'in-process',
      digests: sink.count, seconds: round(seconds), digestsPerSec: Math.round(sink.count / seconds), fanoutSeconds: round(fanoutSeconds),
      ratioToBaseline: round((sink.count / seconds) / (USERS / bareSeconds)), completed: done && settled, outcomes: report?.outcomes ?? {},
      exactlyOnce: sink.count === USERS && logged!.sent === USERS && logged!.keys === USERS,
      deferredJobs: build ? await deferrals(logDir) : null,
      cpuMsPerDigest: {
        workers: msPer(build ? p['herald-worker'] ?? 0 : p.bench ?? 0), postgres: msPer((p['postgres-backends'] ?? 0) + (p['postgres-server'] ?? 0)),
        redis: msPer(p.redis ?? 0), benchAndSink: build ? msPer(p.bench ?? 0) : null,
      },
      usage: used, saturated: saturation(used, null),
      pass: { totalSeconds: done && seconds < 60 },
    };
  } finally {
    await procs?.stop().catch((err: Error) => log(`stop workers: ${err.message}`));
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await pool?.end().catch(() => undefined);
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
    await build?.remove().catch(() => undefined);
    if (!process.env.BENCH_DIGEST_KEEP_LOGS) await rm(logDir, { recursive: true, force: true }).catch(() => undefined);
    else log(`worker logs in ${logDir}`);
  }
}

async function main() {
  const sink = await new CountingSink().start();
  try {
    log(`baseline: bare pooled nodemailer, ${USERS} messages`);
    const bareSeconds = await sendBare(sink.url, USERS, { maxConnections: 10, inFlight: 20 });
    const runs: Array<Awaited<ReturnType<typeof measure>>> = [];
    for (const ref of WORKERS > 0 ? REFS : [null]) runs.push(await measure(ref, sink, bareSeconds));
    const last = runs.at(-1)!;
    const result = {
      benchmark: 'digest',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => round(l)) },
      dataset: { users: USERS, unreadPerUser: PER_USER },
      baseline: { emails: USERS, seconds: round(bareSeconds), emailsPerSec: Math.round(USERS / bareSeconds) },
      // The last ref's run (HEAD by default); with several refs, each run and its ratio to the first.
      herald: last,
      ...(runs.length > 1 ? { runs: runs.map((r) => ({ ...r, ratioToFirstRef: round(r.digestsPerSec / runs[0]!.digestsPerSec) })) } : {}),
      targets: { totalSeconds: 60 },
      pass: last.pass,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await sink.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
