import { waitFor } from '../src/platform/net.js';
import { NOTIFICATION_TYPES } from '../src/platform/db/schema.js';
import type { Cluster } from './cluster.js';
import type { Knobs } from './knobs.js';
import { digestVerdict, drillReport, type DrillReport } from './stats.js';
import { adminToken, Client, notifyUsers, seedUsers } from './traffic.js';
import { mailsOf, waitDrained } from './verify.js';

/**
 * Digests survive Redis losing its data (issue 16, point 9). DRILL_DIGEST_USERS users on DAILY
 * digests get an unread notification each (no email now: it waits for their digest). With both
 * workers paused (SIGSTOP, under a second, so nothing but their relay and their jobs wait), an
 * admin asks for a DAILY digest run and Redis is flushed right after the 202: whatever the request
 * put in Redis is gone before anything ran it. The workers go on; once the run has fanned out
 * (its digest_runs row is finished) Redis is flushed again, while the sends are going out (the
 * sink answers each message after DRILL_DIGEST_SMTP_DELAY_MS, so they take seconds). Targets:
 * every such user gets exactly one digest email (0 lost, 0 duplicated: one Message-ID per user;
 * re-sends of the same Message-ID are counted apart, as in the crash drill), and none got an
 * immediate email.
 */
export async function digestsDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
  const users = await seedUsers(cluster, 'digest', knobs.digestUsers);
  await cluster.db.query(
    `INSERT INTO notification_preferences (user_id, enabled_types, digest_frequency)
     SELECT id, $2::text[], 'DAILY' FROM unnest($1::uuid[]) AS id`, [users.map((u) => u.id), [...NOTIFICATION_TYPES]]);
  const admin = await adminToken(client);
  await notifyUsers(client, admin, users.map((u) => u.id), 'digest-unread');
  const settled = await waitDrained(cluster, knobs.drainSeconds * 1000);
  const immediateEmails = mailsOf(cluster, 'digest').length;
  log(`digests: ${users.length} DAILY users with an unread notification (${immediateEmails} immediate emails)`);

  const t0 = (await cluster.db.query<{ t: Date }>('SELECT now() AS t')).rows[0]!.t;
  const workers = cluster.workers.filter((w) => w.pid);
  cluster.sink.delayMs = knobs.digestSmtpDelayMs;
  let secondFlush: { delivered: number; afterRunMs: number } | null = null;
  try {
    for (const w of workers) process.kill(w.pid, 'SIGSTOP');
    let runStatus: number;
    try {
      runStatus = (await client.call('POST', '/api/admin/jobs/digests/run', { endpoint: 'POST /api/admin/jobs/digests/run', token: admin, body: { frequency: 'DAILY' } })).status;
      await cluster.redisAdmin.flushall();
    } finally {
      for (const w of workers) process.kill(w.pid, 'SIGCONT');
    }
    log(`digests: run requested (${runStatus}), Redis flushed before any worker saw it`);

    // The second flush as soon as the run has written its sends (polled every 10 ms).
    let finishedAt = 0;
    const ran = await waitFor(async () => {
      const r = await cluster.db.query("SELECT 1 FROM digest_runs WHERE trigger = 'manual' AND started_at >= $1 AND status <> 'running'", [t0]);
      finishedAt = Date.now();
      return r.rowCount! > 0;
    }, 60_000, 10);
    if (ran) {
      await cluster.redisAdmin.flushall();
      secondFlush = { delivered: digestMails(cluster).length, afterRunMs: Date.now() - finishedAt };
      log(`digests: run fanned out; Redis flushed again after ${secondFlush.delivered} digest emails`);
    } else {
      log('digests: the run never ran (its job was lost with the first flush)');
    }

    const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
    // Sends are outbox work once durable; without it nothing is left to wait for but a bounded grace.
    await waitFor(async () => new Set(digestMails(cluster).map((m) => m.to)).size >= users.length, 30_000, 250);
    const verdict = digestVerdict(users.map((u) => u.email), digestMails(cluster));
    const runs = await cluster.db.query<{ status: string; users_scanned: number }>(
      "SELECT status, users_scanned FROM digest_runs WHERE trigger = 'manual' AND started_at >= $1 ORDER BY started_at", [t0]);
    const emailLog = await cluster.db.query<{ status: string; n: string; reclaimed: string }>(
      "SELECT status, count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS reclaimed FROM email_log WHERE kind = 'digest' AND to_address LIKE 'digest-%@drill.test' GROUP BY status");
    const exited = cluster.exited();
    return drillReport('digests', {
      runAccepted: runStatus === 202,
      noImmediateEmail: immediateEmails === 0,
      runRan: ran,
      secondFlushMidSends: secondFlush !== null && secondFlush.delivered < users.length,
      drained: settled.drained && drain.drained,
      noLostDigest: verdict.lost === 0,
      noDuplicateDigest: verdict.duplicated === 0,
      noProcessExited: exited.length === 0,
    }, {
      params: { users: users.length, smtpDelayMs: knobs.digestSmtpDelayMs },
      secondFlush,
      // Two runs are expected when the second flush came before the run's job was finished: the
      // re-driven run finds every user's period already claimed and sends nothing again.
      manualRuns: runs.rows.map((r) => ({ status: r.status, usersScanned: r.users_scanned })),
      drainSeconds: drain.seconds,
      digests: verdict,
      emailLog: Object.fromEntries(emailLog.rows.map((r) => [r.status, Number(r.n)])),
      reclaimedClaims: emailLog.rows.reduce((s, r) => s + Number(r.reclaimed), 0),
      exitedProcesses: exited,
    });
  } finally {
    cluster.sink.delayMs = 0;
  }
}

const digestMails = (cluster: Cluster) => mailsOf(cluster, 'digest').filter((m) => m.digest);
