/**
 * docs/SCALING.md's capacity model, as pure arithmetic: a platform's daily volumes (ASSUMPTIONS ×
 * users) become peak rates, and rates divided by measured costs (CPU ms per unit from
 * bench:scaling, rates from the other benchmarks in OTHER_BENCHES) become processes, PostgreSQL
 * and Redis cores and storage. Every input is either a measurement or a named assumption.
 */

/** CPU milliseconds per unit, by where they run (bench:scaling's cpuMsPer*). */
export interface UnitCost {
  readonly herald: number;
  readonly postgres: number;
  readonly redis: number;
  readonly service: number;
}

export interface MeasuredCosts {
  readonly email: UnitCost;
  readonly fanoutRow: UnitCost;
  readonly digest: UnitCost;
  readonly list: UnitCost;
  readonly markRead: UnitCost;
  readonly create: UnitCost;
  /** On-disk bytes per row (heap, TOAST, indexes) and outbox rows per notification delivered. */
  readonly bytesPerRow: { readonly notifications: number; readonly emailLog: number; readonly outbox: number };
  readonly outboxRowsPerNotification: number;
}

export const ASSUMPTIONS = {
  dailyActiveShare: 0.2,
  /** Notifications per registered user per day: `broadcast` of them from fan-outs, the rest targeted. */
  notificationsPerUserPerDay: 3,
  broadcastPerUserPerDay: 1,
  /** Targeted notifications per producer call (POST /api/admin/notifications): 1 is the costliest case. */
  recipientsPerCreateCall: 1,
  /** Immediate emails per registered user per day. */
  emailsPerUserPerDay: 0.5,
  /** Users on a DAILY digest; the busiest hour (time zones) carries this share of a day's digests. */
  digestUserShare: 0.3,
  digestPeakHourShare: 0.2,
  /** A broadcast to every user must be in every inbox within this many seconds. */
  broadcastSeconds: 3_600,
  apiReadsPerDauPerDay: 40,
  apiWritesPerDauPerDay: 6,
  analyticsEventsPerDauPerDay: 50,
  /** Events a browser or producer sends per POST /api/analytics/events. */
  analyticsEventsPerRequest: 10,
  searchQueriesPerDauPerDay: 3,
  /** Uploads per registered user per day; half one-minute 1080p videos, half five-minute audio files. */
  uploadsPerUserPerDay: 0.001,
  /** Peak hour rate over the day's mean (API, notifications, emails, analytics, search, uploads). */
  peakFactor: 3,
  /** Every resource planned at this share of its capacity (the rest is headroom for bursts and failover). */
  targetUtilisation: 0.6,
  /** Connections each process opens at most (src/platform/platform.ts: api 20, others 10). */
  poolApi: 20,
  poolWorker: 10,
  /** Past this, a table wants partitioning (vacuum, index rebuilds and retention DELETEs stay bounded). */
  partitionBytes: 100e9,
  partitionRows: 500e6,
} as const;

/** Figures of the other benchmarks (docs/BENCHMARKS.md), with where each comes from. */
export const OTHER_BENCHES = {
  analyticsEventsPerSecMachine: { value: 51_408, cores: 2, source: 'bench:analytics 2026-11-29 (HTTP ingestion, 500 events a request, 8 in flight; shared machine, load 3.5-4.8)' },
  searchP50Ms: { value: 19.24, source: 'bench:search 2026-11-29 (1M documents, unified search, sequential, p50; p95 45.95 ms)' },
  videoPreviewSeconds: { value: 2.145, cores: 2, source: 'bench:previews 2026-11-29 (1-minute 1920x1080 video, job seconds, ffmpeg on both cores)' },
  audioPreviewSeconds: { value: 0.381, cores: 2, source: 'bench:previews 2026-11-29 (5-minute WAV, job seconds)' },
  redisEvalPerSec: { value: 0, source: 'redis-benchmark EVAL of the rate limiter\'s INCR+PEXPIRE, one core (set from the measurement)' },
  redisBytesPerCompletedJob: { value: 1_170, source: 'bench:admin 2026-11-29 (1,000,000 completed jobs kept = 1.17 GB of Redis)' },
} as const;

export const QUEUE_COUNT = 14;
export const COMPLETED_KEPT_PER_QUEUE = 100_000; // src/platform/queue/queues.ts removeOnComplete.count

const DAY = 86_400;
const ceil = Math.ceil;

export function capacity(users: number, c: MeasuredCosts, redisEvalPerSec: number, a = ASSUMPTIONS) {
  const dau = users * a.dailyActiveShare;
  const mean = (perDay: number) => perDay / DAY;
  const peak = (perDay: number) => mean(perDay) * a.peakFactor;
  const targeted = users * (a.notificationsPerUserPerDay - a.broadcastPerUserPerDay);
  const rates = {
    apiReads: peak(dau * a.apiReadsPerDauPerDay),
    apiWrites: peak(dau * a.apiWritesPerDauPerDay),
    creates: peak(targeted / a.recipientsPerCreateCall),
    emails: peak(users * a.emailsPerUserPerDay),
    fanoutRows: users / a.broadcastSeconds,
    digests: (users * a.digestUserShare * a.digestPeakHourShare) / 3_600,
    analyticsEvents: peak(dau * a.analyticsEventsPerDauPerDay),
    searchQueries: peak(dau * a.searchQueriesPerDauPerDay),
    uploadsPerHour: (peak(users * a.uploadsPerUserPerDay)) * 3_600,
  };
  const cores = (rate: number, ms: number) => (rate * ms) / 1000;
  const analyticsCores = rates.analyticsEvents / (OTHER_BENCHES.analyticsEventsPerSecMachine.value / OTHER_BENCHES.analyticsEventsPerSecMachine.cores);
  const searchCores = cores(rates.searchQueries, OTHER_BENCHES.searchP50Ms.value);
  const apiNode = cores(rates.apiReads, c.list.herald) + cores(rates.apiWrites, c.markRead.herald) + cores(rates.creates, c.create.herald);
  const workerNode = cores(rates.emails, c.email.herald) + cores(rates.fanoutRows, c.fanoutRow.herald) + cores(rates.digests, c.digest.herald);
  const pgInbox = cores(rates.apiReads, c.list.postgres) + cores(rates.apiWrites, c.markRead.postgres) + cores(rates.creates, c.create.postgres);
  const pgJobs = cores(rates.emails, c.email.postgres) + cores(rates.fanoutRows, c.fanoutRow.postgres) + cores(rates.digests, c.digest.postgres);
  // Analytics ingestion was measured for the whole machine (node and PostgreSQL together): counted
  // in full on both sides, an upper bound. Search is a PostgreSQL query (GIN, ranking): its time on one core.
  const pgPrimary = pgInbox + pgJobs + analyticsCores;
  const pgReplica = searchCores;
  const uploadsPerSec = rates.uploadsPerHour / 3_600;
  const previewCores = (uploadsPerSec / 2) * OTHER_BENCHES.videoPreviewSeconds.value * OTHER_BENCHES.videoPreviewSeconds.cores
    + (uploadsPerSec / 2) * OTHER_BENCHES.audioPreviewSeconds.value * OTHER_BENCHES.audioPreviewSeconds.cores;
  const redisJobs = cores(rates.emails, c.email.redis) + cores(rates.fanoutRows, c.fanoutRow.redis) + cores(rates.digests, c.digest.redis)
    + cores(rates.apiReads, c.list.redis) + cores(rates.apiWrites, c.markRead.redis) + cores(rates.creates, c.create.redis);
  // bench:scaling runs with RATE_LIMITS=off: the limiter's one EVAL per request is added here.
  const apiRequests = rates.apiReads + rates.apiWrites + rates.creates + rates.analyticsEvents / a.analyticsEventsPerRequest + rates.searchQueries;
  const redisLimiter = redisEvalPerSec > 0 ? apiRequests / redisEvalPerSec : 0;
  const u = a.targetUtilisation;
  const processes = {
    api: Math.max(2, ceil((apiNode + analyticsCores) / u)),
    worker: Math.max(2, ceil(workerNode / u)),
    preview: Math.max(1, ceil(previewCores / u)),
    scheduler: 2,
  };
  const connections = processes.api * a.poolApi + (processes.worker + processes.preview + processes.scheduler) * a.poolWorker;
  const perDay = { notifications: users * a.notificationsPerUserPerDay, emails: users * a.emailsPerUserPerDay };
  const gb = (bytes: number) => bytes / 1e9;
  const storage = {
    notificationsRows365: perDay.notifications * 365,
    notificationsGb365: gb(perDay.notifications * 365 * c.bytesPerRow.notifications),
    notificationsGb90: gb(perDay.notifications * 90 * c.bytesPerRow.notifications),
    emailLogGbPerYear: gb(perDay.emails * 365 * c.bytesPerRow.emailLog),
    emailLogRowsPerYear: perDay.emails * 365,
    outboxRowsPerYear: perDay.notifications * c.outboxRowsPerNotification * 365,
    outboxGbPerYear: gb(perDay.notifications * c.outboxRowsPerNotification * 365 * c.bytesPerRow.outbox),
    digestContentsRows: users * a.digestUserShare * 35,
    redisCompletedJobsGb: gb(QUEUE_COUNT * COMPLETED_KEPT_PER_QUEUE * OTHER_BENCHES.redisBytesPerCompletedJob.value),
  };
  return {
    users, dau, rates, processes, connections,
    cores: { apiNode, workerNode, analytics: analyticsCores, search: searchCores, previews: previewCores, pgInbox, pgJobs, pgPrimary, pgReplica, redisJobs, redisLimiter },
    postgres: {
      primaryCores: pgPrimary / u,
      replicaCores: pgReplica / u,
      pgbouncer: connections > 300,
    },
    redis: { cores: (redisJobs + redisLimiter) / u, cluster: (redisJobs + redisLimiter) / u > 1 },
    storage,
  };
}

export type Capacity = ReturnType<typeof capacity>;
