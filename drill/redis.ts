import { waitFor } from '../src/platform/net.js';
import { SCHEDULES } from '../src/platform/queue/schedules.js';
import type { Cluster, HeraldProcess } from './cluster.js';
import type { Knobs } from './knobs.js';
import { answered, Prober, recoverySeconds } from './probe.js';
import { ScheduleWatch } from './schedules.js';
import { drillReport, isOk, type DrillReport } from './stats.js';
import { adminToken, Client, login, notifyUsers, seedUsers } from './traffic.js';
import { deliveryReport, mailsOf, waitDrained } from './verify.js';

/**
 * Redis restart and FLUSHALL during a burst of DRILL_BURST notifications, sent in two halves so
 * that each fault lands mid-burst however fast the workers are. Once a tenth of the first half's
 * emails went out, stop the private Redis (SIGTERM, AOF written) for DRILL_OUTAGE_SECONDS while
 * probing both API processes, start it again on the same port and wait until the API answers
 * again; then create the second half and FLUSHALL (every queue, job and counter gone) once a
 * tenth of it went out. Targets: only 2xx or 503 while Redis is down (no 500, no hang), back
 * within 30 s with no process restarted, 0 lost and 0 duplicated emails. A scheduler process
 * (SCHEDULE_CHECK_MS = DRILL_SCHEDULE_CHECK_MS) runs throughout: every job scheduler must be back
 * in Redis within a minute of the FLUSHALL, with nobody restarting anything.
 */
export async function redisDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const scheduler = await cluster.spawn('scheduler', 'redis-scheduler', { SCHEDULE_CHECK_MS: String(knobs.scheduleCheckMs) });
  const watch = new ScheduleWatch(cluster.redis.url);
  try {
    return await burstWithFaults(cluster, knobs, log, scheduler, watch);
  } finally {
    await scheduler.kill('SIGTERM');
    cluster.others.splice(cluster.others.indexOf(scheduler), 1);
    await watch.close();
  }
}

async function burstWithFaults(cluster: Cluster, knobs: Knobs, log: (m: string) => void, scheduler: HeraldProcess, watch: ScheduleWatch): Promise<DrillReport> {
  const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
  const users = await seedUsers(cluster, 'redis', knobs.burst);
  // Several probe users: one alone would pass its inbox limit (100/min) at four probes a second.
  const probeUsers = await seedUsers(cluster, 'redisprobe', 6);
  await login(client, probeUsers);
  const admin = await adminToken(client);
  const prober = new Prober(client, () => cluster.apis.map((a) => a.url), probeUsers);
  // One burst of 3,000 is all sent before Redis is even back: hence a half for each fault.
  const half = Math.floor(users.length / 2);
  const started = Date.now();
  const createMs = await notifyUsers(client, admin, users.slice(0, half).map((u) => u.id), 'redis-burst-1');
  await waitFor(async () => mailsOf(cluster, 'redis').length >= half / 10, knobs.drainSeconds * 1000, 10);
  prober.start();
  await new Promise((r) => setTimeout(r, 1_000));

  const deliveredAtStop = mailsOf(cluster, 'redis').length;
  // "stopping" while redis-server writes its AOF and exits (it still answers meanwhile).
  prober.phase = 'stopping';
  const downAt = Date.now();
  await cluster.redis.stop();
  prober.phase = 'down';
  log(`redis: stopped after ${deliveredAtStop} emails; down for ${knobs.outageSeconds}s`);
  await new Promise((r) => setTimeout(r, knobs.outageSeconds * 1000));
  await cluster.redis.start();
  const upAt = Date.now();
  prober.phase = 'up';
  const back = await waitFor(async () => prober.recovered(), 30_000, 100);
  log(`redis: started again; API ${back ? 'answers' : 'does NOT answer'} after ${((Date.now() - upAt) / 1000).toFixed(1)}s`);
  createMs.push(...await notifyUsers(client, admin, users.slice(half).map((u) => u.id), 'redis-burst-2'));
  await waitFor(async () => mailsOf(cluster, 'redis').length >= half + (users.length - half) / 10, knobs.drainSeconds * 1000, 10);

  const deliveredAtFlush = mailsOf(cluster, 'redis').length;
  const schedulesMissingBeforeFlush = await watch.missing();
  prober.phase = 'flushed';
  const flushAt = Date.now();
  await cluster.redisAdmin.flushall();
  const schedulesMissingAfterFlush = (await watch.missing()).length;
  // Polled while the burst drains: the schedules come back on the scheduler's next check.
  const schedulesBack = watch.waitAllBack(flushAt, 60_000);
  log(`redis: FLUSHALL after ${deliveredAtFlush} emails (${schedulesMissingAfterFlush} job schedulers gone)`);
  await new Promise((r) => setTimeout(r, 5_000));
  await prober.stop();

  const drain = await waitDrained(cluster, knobs.drainSeconds * 1000);
  const delivery = await deliveryReport(cluster, 'redis', true);
  const schedules = await schedulesBack;
  log(`redis: job schedulers ${schedules.back ? `all back ${schedules.seconds}s after the flush` : `still missing: ${schedules.stillMissing.join(', ')}`}`);
  const exited = [...cluster.exited(), ...(scheduler.child?.exitCode === null && scheduler.child.signalCode === null ? [] : [scheduler.name])];
  const phase = (name: string) => prober.probes.filter((p) => p.phase === name);
  const totalSeconds = (Date.now() - started) / 1000;
  return drillReport('redis', {
    stoppedMidBurst: deliveredAtStop < half,
    flushedMidBurst: deliveredAtFlush < knobs.burst,
    // While down the API may refuse, but must answer: 503 before the client's timeout, never a 500.
    whileDownOnly2xxOr503: [...phase('stopping'), ...phase('down')].every((p) => isOk(p.status) || p.status === 503),
    recoveredWithin30s: back,
    afterFlushAllOk: phase('flushed').every((p) => answered(p.status)),
    drained: drain.drained,
    noLostEmail: delivery.lost === 0,
    noDuplicateEmail: delivery.duplicated === 0,
    noProcessExited: exited.length === 0,
    schedulesPresentBeforeFlush: schedulesMissingBeforeFlush.length === 0,
    schedulesBackWithin60s: schedules.back,
  }, {
    params: { burst: knobs.burst, outageSeconds: knobs.outageSeconds, scheduleCheckMs: knobs.scheduleCheckMs },
    createRequestsMs: createMs,
    deliveredAtStop, deliveredAtFlush,
    downSeconds: Math.round((upAt - downAt) / 100) / 10,
    recoverySecondsAfterStart: recoverySeconds(phase('up'), upAt),
    recoverySecondsAfterFlush: recoverySeconds(phase('flushed'), flushAt),
    probes: prober.byPhase(),
    burstSeconds: Math.round(totalSeconds * 10) / 10,
    drainSeconds: drain.seconds,
    delivery,
    schedules: { count: SCHEDULES.length, missingAfterFlush: schedulesMissingAfterFlush, secondsToAllBack: schedules.seconds, stillMissing: schedules.stillMissing },
    exitedProcesses: exited,
  });
}
