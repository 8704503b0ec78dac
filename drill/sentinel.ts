import path from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from '../src/platform/net.js';
import { HeraldProcess, type Cluster, type Role } from './cluster.js';
import type { Knobs } from './knobs.js';
import { recoverySeconds } from './probe.js';
import { SentinelSet } from './sentinel-set.js';
import { countStatuses, drillReport, isOk, type DrillReport, type Sample } from './stats.js';
import { adminToken, Client, drive, notifyUsers, seedUsers, trafficUsers, weighted } from './traffic.js';
import { deliveryReport, mailsOf, missingWrites, waitDrained } from './verify.js';

/**
 * Redis Sentinel failover (issue 20): a master (6403), its replica (6404) and three sentinels
 * (26403-26405, quorum 2, down-after DRILL_SENTINEL_DOWN_AFTER_MS), and a world of its own
 * reaching Redis only through them: two API and two worker processes with REDIS_SENTINELS, on
 * a database of their own (herald_sentinel on the drill's PostgreSQL), so the cluster's processes,
 * on the plain Redis, relay none of its outbox rows. Under steady API traffic (inbox reads, mark
 * read, preferences, notification creation) and a burst of DRILL_BURST emails, the master is
 * SIGKILLed once a tenth of the burst went out; nothing is restarted. Recovery is read from both
 * sides: the API from the traffic (the first request after which every one was answered), the
 * jobs from PostgreSQL (BullMQ's own job timestamps are the client's, taken when a command was
 * queued, not when Redis ran it): when the relay first put work created after the kill into
 * Redis, when a digest run asked for from the kill on (a queue with no backlog) was taken and
 * done, and when the first delivery created after the kill was done (behind the burst's).
 * Targets: the sentinels promote the replica; the API answers only 2xx, 429 or 503 meanwhile and
 * is back within 30 s; the digest run taken within 30 s of the kill; every acknowledged write
 * present; every notification emailed, none under two Message-IDs (a re-send of the same
 * Message-ID is counted apart); no process exited.
 */
const DATA_PORTS = [6403, 6404] as const;
const SENTINEL_PORTS = [26403, 26404, 26405];

interface World {
  readonly db: pg.Pool;
  readonly apis: HeraldProcess[];
  readonly workers: HeraldProcess[];
  readonly sink: Cluster['sink'];
  readonly set: SentinelSet;
}

export async function sentinelDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const set = await SentinelSet.start({
    dir: path.join(cluster.dir, 'sentinel'), dataPorts: DATA_PORTS, sentinelPorts: SENTINEL_PORTS,
    downAfterMs: knobs.sentinelDownAfterMs, failoverTimeoutMs: knobs.sentinelFailoverTimeoutMs,
  });
  log(`sentinel: master ${DATA_PORTS[0]}, replica ${DATA_PORTS[1]}, sentinels ${SENTINEL_PORTS.join(', ')} up`);
  const databaseUrl = cluster.postgres.url.replace(/\/herald$/, '/herald_sentinel');
  // A pool connects on its first query, once the database exists.
  const world: World = { db: new pg.Pool({ connectionString: databaseUrl, max: 4 }), apis: [], workers: [], sink: cluster.sink, set };
  world.db.on('error', () => undefined);
  try {
    await cluster.db.query('CREATE DATABASE herald_sentinel');
    const env = { ...cluster.env(), DATABASE_URL: databaseUrl, REDIS_URL: '', ...set.env, QUEUE_PREFIX: 'sentinel' };
    const spawn = async (role: Role, name: string) => {
      const p = new HeraldProcess(role, name, env, role === 'api' ? await freePort() : null, path.join(cluster.dir, 'logs'));
      (role === 'api' ? world.apis : world.workers).push(p);
      await p.start();
    };
    // The first API process migrates the new database and creates the admin alone.
    await spawn('api', 'sentinel-api-1');
    await Promise.all([spawn('api', 'sentinel-api-2'), spawn('worker', 'sentinel-worker-1'), spawn('worker', 'sentinel-worker-2')]);
    log(`sentinel: herald up through the sentinels (pids ${[...world.apis, ...world.workers].map((p) => p.pid).join(', ')})`);
    return await failover(world, knobs, log);
  } finally {
    await Promise.all([...world.apis, ...world.workers].map((p) => p.kill('SIGTERM')));
    await world.db.end().catch(() => undefined);
    await set.stop();
    await cluster.db.query('DROP DATABASE IF EXISTS herald_sentinel WITH (FORCE)').catch(() => undefined);
  }
}

async function failover(world: World, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const ops = await trafficUsers(world, knobs, 'sentineltraffic');
  const client = new Client(() => world.apis.map((a) => a.url), knobs.requestTimeoutMs);
  const admin = await adminToken(client);
  const burst = await seedUsers(world, 'sentinel', knobs.burst);

  let phase = 'before';
  const phases = new Map<Sample, string>();
  const op = weighted([[40, () => ops.list()], [20, () => ops.markRead()], [10, () => ops.preferences()], [30, () => ops.create()]]);
  let trafficUntil = Number.POSITIVE_INFINITY;
  const traffic = drive({
    rate: knobs.rate, maxInFlight: knobs.maxInFlight, until: () => Date.now() >= trafficUntil,
    op: async () => {
      const label = phase;
      const s = await op();
      phases.set(s, label);
      return s;
    },
  });

  const started = Date.now();
  const createMs = await notifyUsers(client, admin, burst.map((u) => u.id), 'sentinel-burst');
  await waitFor(async () => mailsOf(world, 'sentinel').length >= knobs.burst / 10, knobs.drainSeconds * 1000, 10);
  const deliveredAtKill = mailsOf(world, 'sentinel').length;
  phase = 'failover';
  const killedPort = await world.set.killMaster();
  const killedAt = Date.now();
  log(`sentinel: SIGKILL master ${killedPort} after ${deliveredAtKill} emails`);

  // A job on a queue with no backlog: a digest run, asked for from the kill on until accepted
  // (its route is rate-limited in Redis); its digest_runs row is written when a worker takes it.
  const digestAsked = (async () => {
    while (Date.now() - killedAt < 60_000) {
      const res = await client.call('POST', '/api/admin/jobs/digests/run', { endpoint: 'POST /api/admin/jobs/digests/run', token: admin, body: { frequency: 'DAILY' }, timeoutMs: 2_000 });
      if (res.status === 202) return Date.now() - killedAt;
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  })();
  const failedOver = await waitFor(() => world.set.failedOver(killedPort), 60_000, 50);
  const promotedAt = Date.now();
  const deliveredAtPromotion = mailsOf(world, 'sentinel').length;
  phase = 'promoted';
  log(`sentinel: ${failedOver ? `replica promoted after ${((promotedAt - killedAt) / 1000).toFixed(1)}s` : 'NO failover within 60 s'}; traffic goes on 20 s`);
  trafficUntil = Date.now() + 20_000;
  const load = await traffic;

  const drain = await waitDrained(world, knobs.drainSeconds * 1000);
  const totalSeconds = (Date.now() - started) / 1000;
  const delivery = await deliveryReport(world, 'sentinel', true);
  const trafficDelivery = await deliveryReport(world, 'sentineltraffic', false);
  const jobs = await jobsAfter(world.db, killedAt);
  const digestAcceptedMs = await digestAsked;
  const digest = await world.db.query<{ started_at: Date; completed_at: Date | null }>(
    "SELECT started_at, completed_at FROM digest_runs WHERE trigger = 'manual' AND started_at >= $1 ORDER BY started_at LIMIT 1", [new Date(killedAt)]);
  const digestRun = digest.rows[0];
  const lost = await missingWrites(world, ops);
  const exited = [...world.apis, ...world.workers].filter((p) => !p.child || p.child.exitCode !== null || p.child.signalCode !== null).map((p) => p.name);
  const inPhase = (name: string) => load.samples.filter((s) => phases.get(s) === name);
  const afterKill = [...inPhase('failover'), ...inPhase('promoted')];
  const apiRecovery = recoverySeconds(afterKill.map((s) => ({ status: s.status, startedAt: s.at - s.ms })), killedAt);
  const firstOk = afterKill.filter((s) => isOk(s.status) && s.endpoint === 'GET /api/notifications' && s.at - s.ms >= killedAt).map((s) => s.at - s.ms - killedAt).sort((a, b) => a - b)[0];
  const expectedOnly = (s: Sample) => isOk(s.status) || s.status === 429 || s.status === 503;
  const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms / 100) / 10);
  return drillReport('sentinel', {
    killedMidBurst: deliveredAtKill < knobs.burst,
    failedOver,
    beforeKillAllOk: inPhase('before').every((s) => isOk(s.status)),
    onlyOkOr503WhileFailingOver: afterKill.every(expectedOnly),
    apiRecoveredWithin30s: apiRecovery !== null && apiRecovery <= 30,
    jobsResumedWithin30s: digestRun !== undefined && digestRun.started_at.getTime() - killedAt <= 30_000,
    acknowledgedWritesPresent: lost.reads + lost.prefs + lost.creations === 0,
    drained: drain.drained,
    noLostEmail: delivery.lost + trafficDelivery.lost === 0,
    noDuplicateEmail: delivery.duplicated + trafficDelivery.duplicated === 0,
    noProcessExited: exited.length === 0,
  }, {
    params: {
      burst: knobs.burst, rate: knobs.rate, users: knobs.users, processes: { api: world.apis.length, worker: world.workers.length },
      sentinel: { quorum: 2, sentinels: SENTINEL_PORTS.length, downAfterMs: knobs.sentinelDownAfterMs, failoverTimeoutMs: knobs.sentinelFailoverTimeoutMs },
    },
    createRequestsMs: createMs,
    deliveredAtKill,
    deliveredAtPromotion,
    failoverSeconds: seconds(promotedAt - killedAt),
    apiFirstOkSeconds: seconds(firstOk),
    apiRecoverySeconds: apiRecovery,
    relayResumedSeconds: seconds(jobs.firstRelayedMs),
    digestRun: {
      acceptedSeconds: seconds(digestAcceptedMs),
      takenSeconds: seconds(digestRun ? digestRun.started_at.getTime() - killedAt : null),
      doneSeconds: seconds(digestRun?.completed_at ? digestRun.completed_at.getTime() - killedAt : null),
    },
    newDeliveryFirstDoneSeconds: seconds(jobs.firstDoneMs),
    outboxRowsAfterKill: jobs.rows,
    statuses: { before: countStatuses(inPhase('before')), failover: countStatuses(inPhase('failover')), promoted: countStatuses(inPhase('promoted')) },
    requests: load.samples.length,
    skippedAtMaxInFlight: load.skipped,
    writesAcknowledged: { markRead: ops.acked.reads.size, preferences: [...ops.acked.prefs.values()].filter(Boolean).length, creations: ops.acked.creations.size },
    writesMissing: lost,
    burstSeconds: Math.round(totalSeconds * 10) / 10,
    drainSeconds: drain.seconds,
    delivery,
    trafficDelivery,
    exitedProcesses: exited,
  });
}

/**
 * Work created after the kill, from the outbox: when the relay first got a row into Redis again
 * (relayed_at) and when the first such job was done (completed_at), in ms after the kill.
 */
async function jobsAfter(db: pg.Pool, killedAt: number): Promise<{ rows: number; firstRelayedMs: number | null; firstDoneMs: number | null }> {
  const r = await db.query<{ rows: string; relayed: Date | null; done: Date | null }>(
    'SELECT count(*) AS rows, min(relayed_at) AS relayed, min(completed_at) AS done FROM outbox WHERE created_at > $1', [new Date(killedAt)]);
  const ms = (d: Date | null) => (d ? d.getTime() - killedAt : null);
  return { rows: Number(r.rows[0]!.rows), firstRelayedMs: ms(r.rows[0]!.relayed), firstDoneMs: ms(r.rows[0]!.done) };
}
