import type { Cluster } from './cluster.js';
import type { Knobs } from './knobs.js';
import { recoverySeconds } from './probe.js';
import { countStatuses, drillReport, isOk, type DrillReport, type Sample } from './stats.js';
import { drive, trafficUsers, weighted } from './traffic.js';
import { deliveryReport, missingWrites, waitDrained } from './verify.js';

/**
 * PostgreSQL restart under write traffic: DRILL_PG_TRAFFIC_SECONDS of a write-heavy mix (inbox
 * 40 %, mark read 20 %, preference changes 20 %, notification creation 20 %); a third of the way
 * in, PostgreSQL stops (fast shutdown) for DRILL_OUTAGE_SECONDS and starts again. Nothing is
 * restarted by hand: the processes must reconnect on their own. Targets: every write that got a
 * 2xx is present afterwards; no 500 and no unanswered request; 503s only while down or shortly
 * after (until the pools reconnect, within 30 s); every created notification emailed once.
 */
export async function postgresDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const ops = await trafficUsers(cluster, knobs, 'pg');
  const op = weighted([[40, () => ops.list()], [20, () => ops.markRead()], [20, () => ops.preferences()], [20, () => ops.create()]]);

  // Each sample is labelled by the phase it started in (its `at` is when it answered).
  let phase = 'before';
  const phases = new Map<Sample, string>();
  const timed = async () => {
    const label = phase;
    const s = await op();
    phases.set(s, label);
    return s;
  };
  const end = Date.now() + knobs.pgTrafficSeconds * 1000;
  const trafficDone = drive({ rate: knobs.rate, maxInFlight: knobs.maxInFlight, until: () => Date.now() >= end, op: timed });

  await new Promise((r) => setTimeout(r, (knobs.pgTrafficSeconds * 1000) / 3));
  phase = 'down';
  const downAt = Date.now();
  await cluster.postgres.stop();
  log(`postgres: stopped; down for ${knobs.outageSeconds}s`);
  await new Promise((r) => setTimeout(r, knobs.outageSeconds * 1000));
  await cluster.postgres.start();
  const upAt = Date.now();
  phase = 'up';
  log(`postgres: started again after ${((upAt - downAt) / 1000).toFixed(1)}s`);
  const traffic = await trafficDone;

  const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
  const lost = await missingWrites(cluster, ops);
  const delivery = await deliveryReport(cluster, 'pg', false);
  const exited = cluster.exited();
  const inPhase = (name: string) => traffic.samples.filter((s) => phases.get(s) === name);
  const afterUp = inPhase('up').map((s) => ({ status: s.status, startedAt: s.at - s.ms }));
  const recovery = recoverySeconds(afterUp, upAt);
  const statusesBy = (name: string) => countStatuses(inPhase(name));
  const unexpected = (s: Sample) => !isOk(s.status) && s.status !== 503 && s.status !== 429;
  return drillReport('postgres', {
    acknowledgedWritesPresent: lost.reads + lost.prefs + lost.creations === 0,
    beforeOutageAllOk: inPhase('before').every((s) => isOk(s.status)),
    noErrorButServiceUnavailable: traffic.samples.every((s) => !unexpected(s)),
    recoveredWithin30s: recovery !== null && recovery <= 30,
    drained: drain.drained,
    noLostEmail: delivery.lost === 0,
    noDuplicateEmail: delivery.duplicated === 0,
    noProcessExited: exited.length === 0,
  }, {
    params: { seconds: knobs.pgTrafficSeconds, outageSeconds: knobs.outageSeconds, rate: knobs.rate, users: knobs.users },
    downSeconds: Math.round((upAt - downAt) / 100) / 10,
    recoverySecondsAfterStart: recovery,
    statuses: { before: statusesBy('before'), down: statusesBy('down'), up: statusesBy('up') },
    requests: traffic.samples.length,
    skippedAtMaxInFlight: traffic.skipped,
    writesAcknowledged: { markRead: ops.acked.reads.size, preferences: [...ops.acked.prefs.values()].filter(Boolean).length, creations: ops.acked.creations.size },
    writesMissing: lost,
    drainSeconds: drain.seconds,
    delivery,
    exitedProcesses: exited,
  });
}
