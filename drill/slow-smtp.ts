import { readFile } from 'node:fs/promises';
import { waitFor } from '../src/platform/net.js';
import type { Cluster, HeraldProcess } from './cluster.js';
import type { Knobs } from './knobs.js';
import { drillReport, type DrillReport } from './stats.js';
import { adminToken, Client, notifyUsers, seedUsers } from './traffic.js';
import { deliveryReport, mailsOf, waitDrained } from './verify.js';

/** Notifications per creation request: each is one delivery job, so both workers hold several. */
const PER_REQUEST = 20;

/**
 * A slow SMTP server and a stalled job (issue 16, point 10). The workers are restarted with
 * EMAIL_LEASE_MS = DRILL_SLOW_LEASE_MS, JOB_LOCK_MS = DRILL_SLOW_JOB_LOCK_MS and WORKER_CONCURRENCY 2, and the sink answers
 * each message after DRILL_SMTP_DELAY_MS: with the defaults (1 s lease, 1.5 s per message) every
 * hand-off outlasts its lease, so only the renewal of in-flight claims keeps a live attempt's claim.
 * DRILL_SLOW_BURST notifications (one per user, email on) in delivery jobs of 20. A fifth in,
 * worker-1 is stopped (SIGSTOP): its claims run out, its jobs stall, and once worker-2 has taken
 * some of them over (at most DRILL_STALL_SECONDS) it continues (SIGCONT) into claims that are no
 * longer its own. Three
 * fifths in, worker-2 is killed (kill -9) and started again. Targets: no claim taken again before the
 * stall (no live claim expired in a queue or in a slow hand-off), the stalled claims taken over,
 * 0 lost, 0 duplicated, and re-sends of the same Message-ID no more than the two faulted processes
 * had in flight (2 × SMTP_POOL_SIZE).
 */
export async function slowSmtpDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  // Two jobs per worker at a time: worker-2 gets through its own and takes over the stalled worker's
  // jobs (and their expired claims) while that one is still stopped.
  const settings = { EMAIL_LEASE_MS: String(knobs.slowLeaseMs), JOB_LOCK_MS: String(knobs.slowJobLockMs), WORKER_CONCURRENCY: '2' };
  const poolSize = Number(process.env.SMTP_POOL_SIZE ?? 10);
  await restartWorkers(cluster.workers, settings);
  cluster.sink.delayMs = knobs.smtpDelayMs;
  const [stalled, killed] = cluster.workers as [HeraldProcess, HeraldProcess];
  try {
    const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
    const users = await seedUsers(cluster, 'slow', knobs.slowBurst);
    const admin = await adminToken(client);
    const started = Date.now();
    for (let i = 0; i < users.length; i += PER_REQUEST) {
      await notifyUsers(client, admin, users.slice(i, i + PER_REQUEST).map((u) => u.id), `slow-burst-${i}`);
    }
    const delivered = () => mailsOf(cluster, 'slow').length;
    log(`slow-smtp: ${users.length} notifications created; sink answers after ${knobs.smtpDelayMs} ms`);

    await waitFor(async () => delivered() >= users.length / 5, knobs.drainSeconds * 1000, 10);
    const beforeStall = await claimFigures(cluster);
    const resentBeforeStall = sameIdResends(mailsOf(cluster, 'slow'));
    const deliveredAtStall = delivered();
    process.kill(stalled.pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    log(`slow-smtp: SIGSTOP ${stalled.name} (pid ${stalled.pid}) after ${deliveredAtStall} emails, ${beforeStall.sending} claims in flight`);
    // Stopped until worker-2 has taken over some of its claims (its stalled jobs queue up behind
    // the burst's others, same priority), at most DRILL_STALL_SECONDS: then it wakes up into them.
    await waitFor(async () => (await claimFigures(cluster)).reclaimed > 0, knobs.stallSeconds * 1000, 100);
    const takenOver = (await claimFigures(cluster)).reclaimed;
    process.kill(stalled.pid, 'SIGCONT');
    const stallSeconds = Math.round((Date.now() - stoppedAt) / 100) / 10;
    log(`slow-smtp: SIGCONT ${stalled.name} after ${stallSeconds}s; ${takenOver} claims taken over meanwhile`);

    const killedMidBurst = await waitFor(async () => delivered() >= (users.length * 3) / 5, knobs.drainSeconds * 1000, 10);
    const deliveredAtKill = delivered();
    const killedPid = killed.pid;
    await killed.kill('SIGKILL');
    log(`slow-smtp: kill -9 ${killed.name} (pid ${killedPid}) after ${deliveredAtKill} emails`);
    await killed.start();

    const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
    const totalSeconds = (Date.now() - started) / 1000;
    const delivery = await deliveryReport(cluster, 'slow', true);
    const staleReports = (await readFile(stalled.logFile, 'utf8')).split('\n').filter((l) => l.includes('email claim taken over')).length;
    const exited = cluster.exited();
    return drillReport('slow-smtp', {
      stalledMidBurst: beforeStall.sending > 0 && deliveredAtStall < users.length,
      noClaimTakenBeforeStall: beforeStall.reclaimed === 0 && resentBeforeStall === 0,
      stalledClaimsTakenOver: takenOver > 0,
      killedMidBurst: killedMidBurst && deliveredAtKill < users.length,
      drained: drain.drained,
      noLostEmail: delivery.lost === 0,
      noDuplicateEmail: delivery.duplicated === 0,
      resendsWithinInFlight: delivery.resentSameMessageId <= 2 * poolSize,
      noProcessExited: exited.length === 0,
    }, {
      params: { burst: users.length, smtpDelayMs: knobs.smtpDelayMs, emailLeaseMs: knobs.slowLeaseMs, jobLockMs: knobs.slowJobLockMs, workerConcurrency: 2, maxStallSeconds: knobs.stallSeconds, smtpPoolSize: poolSize },
      stall: { name: stalled.name, seconds: stallSeconds, deliveredAtStall, claimsInFlightAtStall: beforeStall.sending, claimsTakenOverDuringStall: takenOver, claimLossesReportedByStalledWorker: staleReports },
      kill: { name: killed.name, pid: killedPid, deliveredAtKill },
      burstSeconds: Math.round(totalSeconds * 10) / 10,
      emailsPerSecond: Math.round((delivery.delivered / totalSeconds) * 10) / 10,
      drainSeconds: drain.seconds,
      delivery,
      exitedProcesses: exited,
    });
  } finally {
    cluster.sink.delayMs = 0;
    // A drill that failed half-way must not leave a worker stopped for the drills after it.
    if (stalled.child && stalled.child.exitCode === null && stalled.child.signalCode === null) process.kill(stalled.pid, 'SIGCONT');
    await restartWorkers(cluster.workers, {});
  }
}

async function restartWorkers(workers: readonly HeraldProcess[], overrides: Record<string, string>): Promise<void> {
  for (const w of workers) w.overrides = overrides;
  await Promise.all(workers.map((w) => w.restart()));
}

/** Claims of the drill's emails in flight now, and those taken more than once so far. */
async function claimFigures(cluster: Cluster): Promise<{ sending: number; reclaimed: number }> {
  const r = await cluster.db.query<{ sending: string; reclaimed: string }>(
    "SELECT count(*) FILTER (WHERE status = 'sending') AS sending, count(*) FILTER (WHERE attempts > 1) AS reclaimed FROM email_log WHERE to_address LIKE 'slow-%@drill.test'");
  return { sending: Number(r.rows[0]!.sending), reclaimed: Number(r.rows[0]!.reclaimed) };
}

/** Copies of a Message-ID the sink accepted more than once. */
function sameIdResends(mails: readonly { messageId: string }[]): number {
  return mails.length - new Set(mails.map((m) => m.messageId)).size;
}
