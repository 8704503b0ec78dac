import { waitFor } from '../src/platform/net.js';
import type { Cluster } from './cluster.js';
import type { Knobs } from './knobs.js';
import { drillReport, type DrillReport } from './stats.js';
import { adminToken, Client, notifyUsers, seedUsers } from './traffic.js';
import { deliveryReport, mailsOf, waitDrained } from './verify.js';

/**
 * Worker crash: a burst of DRILL_BURST notifications (one per user, email on) through the admin
 * API; once a fifth of the emails went out, `kill -9` one of the two workers (its active delivery
 * jobs and email claims are left mid-flight), then start it again. Targets: 0 lost, 0 duplicated
 * (a notification emailed under two Message-IDs, or a user emailed twice). Re-sends of the same
 * Message-ID (SMTP accepted it, the process died before recording it) are reported apart.
 */
export async function crashDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
  const users = await seedUsers(cluster, 'crash', knobs.burst);
  const admin = await adminToken(client);
  const started = Date.now();
  const createMs = await notifyUsers(client, admin, users.map((u) => u.id), 'crash-burst');
  log(`crash: burst of ${knobs.burst} created; waiting for a fifth to be delivered`);
  const midway = await waitFor(async () => mailsOf(cluster, 'crash').length >= knobs.burst / 5, knobs.drainSeconds * 1000, 10);
  const victim = cluster.workers[0]!;
  const deliveredAtKill = mailsOf(cluster, 'crash').length;
  const pid = victim.pid;
  await victim.kill('SIGKILL');
  log(`crash: kill -9 ${victim.name} (pid ${pid}) after ${deliveredAtKill} emails`);
  // A moment with one worker left, as an orchestrator's restart delay would give.
  await new Promise((r) => setTimeout(r, 2_000));
  await victim.start();
  log(`crash: ${victim.name} restarted (pid ${victim.pid}); waiting for the outbox to drain`);
  const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
  const totalSeconds = (Date.now() - started) / 1000;
  const delivery = await deliveryReport(cluster, 'crash', true);
  const exited = cluster.exited();
  return drillReport('crash', {
    killedMidBurst: midway && deliveredAtKill < knobs.burst,
    drained: drain.drained,
    noLostEmail: delivery.lost === 0,
    noDuplicateEmail: delivery.duplicated === 0,
    noProcessExited: exited.length === 0,
  }, {
    params: { burst: knobs.burst },
    createRequestsMs: createMs,
    killed: { name: victim.name, pid, deliveredAtKill },
    burstSeconds: Math.round(totalSeconds * 10) / 10,
    emailsPerSecond: Math.round((delivery.delivered / totalSeconds) * 10) / 10,
    drainSecondsAfterRestart: drain.seconds,
    delivery,
    exitedProcesses: exited,
  });
}
