import { waitFor } from '../src/platform/net.js';
import type { Cluster, HeraldProcess } from './cluster.js';
import type { Knobs } from './knobs.js';
import { DrillSmtpSink } from './smtp-sink.js';
import { drillReport, type DrillReport, type MailRecord } from './stats.js';
import { adminToken, Client, notifyUsers, seedUsers } from './traffic.js';
import { deliveryReport, waitDrained } from './verify.js';

/**
 * SMTP failover (issue 18). The workers are restarted with SMTP_URL = the cluster's sink (smtp-1)
 * and a second sink (smtp-2). DRILL_FAILOVER_BURST immediate emails (one notification per user);
 * once smtp-1 has accepted a fifth of them it is stopped (listener closed, connections cut: what
 * the workers see of a relay that died). Targets: it died mid-burst, both workers moved to
 * smtp-2, everything drained, 0 lost, 0 duplicated (two Message-IDs for one notification), every
 * email_log row 'sent' with its transport, no process exited. A re-send of one Message-ID across
 * the two sinks (a message whose 250 was lost with the connection: the documented caveat) is
 * counted apart and bounded by what the two workers had in flight (2 × SMTP_POOL_SIZE).
 */
export async function smtpFailoverDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const secondary = await new DrillSmtpSink().start();
  const primary = cluster.sink;
  const poolSize = Number(process.env.SMTP_POOL_SIZE ?? 10);
  await restartWorkers(cluster.workers, { SMTP_URL: `${primary.url},${secondary.url}` });
  const tag = 'failover';
  const mine = (list: readonly MailRecord[]) => list.filter((m) => m.to.startsWith(`${tag}-`));
  try {
    const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
    const users = await seedUsers(cluster, tag, knobs.failoverBurst);
    const admin = await adminToken(client);
    const started = Date.now();
    await notifyUsers(client, admin, users.map((u) => u.id), 'failover-burst');
    log(`smtp-failover: ${users.length} notifications created; smtp-1 ${primary.url}, smtp-2 ${secondary.url}`);

    const diedMidBurst = await waitFor(async () => mine(primary.received).length >= users.length / 5, knobs.drainSeconds * 1000, 5);
    const atKill = mine(primary.received).length;
    await primary.stop();
    const killedAt = Date.now();
    log(`smtp-failover: smtp-1 stopped after ${atKill} emails`);
    const switched = await waitFor(async () => mine(secondary.received).length > 0, knobs.drainSeconds * 1000, 5);
    const switchMs = Date.now() - killedAt;
    const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
    const totalSeconds = (Date.now() - started) / 1000;

    const viaPrimary = mine(primary.received);
    const viaSecondary = mine(secondary.received);
    const both = { db: cluster.db, sink: { received: [...primary.received, ...secondary.received] } } as unknown as Pick<Cluster, 'db' | 'sink'>;
    const delivery = await deliveryReport(both, tag, true);
    const byTransport = await cluster.db.query<{ transport: string | null; n: string }>(
      "SELECT transport, count(*) AS n FROM email_log WHERE to_address LIKE $1 AND status = 'sent' GROUP BY transport ORDER BY transport", [`${tag}-%@drill.test`]);
    const transports = Object.fromEntries(byTransport.rows.map((r) => [r.transport ?? 'none', Number(r.n)]));
    const secondaryIds = new Set(viaSecondary.map((m) => m.messageId));
    const exited = cluster.exited();
    return drillReport('smtp-failover', {
      diedMidBurst: diedMidBurst && atKill < users.length,
      switchedToSecondary: switched,
      drained: drain.drained,
      noLostEmail: delivery.lost === 0,
      noDuplicateEmail: delivery.duplicated === 0,
      everyEmailSentOnce: delivery.emailLog.sent === users.length,
      resendsWithinInFlight: delivery.resentSameMessageId <= 2 * poolSize,
      transportsRecorded: (transports['smtp-1'] ?? 0) + (transports['smtp-2'] ?? 0) === users.length,
      noProcessExited: exited.length === 0,
    }, {
      params: { burst: users.length, smtpPoolSize: poolSize, cooldownMs: Number(process.env.SMTP_COOLDOWN_MS ?? 30_000), workers: cluster.workers.length },
      killedAfterEmails: atKill,
      timeToSwitchMs: switchMs,
      emailsPerSink: { 'smtp-1': viaPrimary.length, 'smtp-2': viaSecondary.length },
      emailLogByTransport: transports,
      sameMessageIdOnBothSinks: viaPrimary.filter((m) => secondaryIds.has(m.messageId)).length,
      burstSeconds: Math.round(totalSeconds * 10) / 10,
      emailsPerSecond: Math.round((delivery.delivered / totalSeconds) * 10) / 10,
      drainSeconds: drain.seconds,
      delivery,
      exitedProcesses: exited,
    });
  } finally {
    await primary.start();
    await restartWorkers(cluster.workers, {});
    await secondary.stop();
  }
}

async function restartWorkers(workers: readonly HeraldProcess[], overrides: Record<string, string>): Promise<void> {
  for (const w of workers) w.overrides = overrides;
  await Promise.all(workers.map((w) => w.restart()));
}
