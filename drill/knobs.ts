/**
 * The drills' knobs: environment variables with defaults (documented in drill/main.ts and
 * docs/OPERATIONS.md "How to run the drills"). Read once, here, like src/config.ts does for the
 * service; a bad value stops the runner naming the variable.
 */

export const DRILL_NAMES = ['soak', 'crash', 'redis', 'postgres', 'scheduler', 'digests', 'slow-smtp', 'sentinel', 'smtp-failover', 'webhooks'] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

export interface Knobs {
  readonly drills: readonly DrillName[];
  /** Soak length, seconds. */
  readonly soakSeconds: number;
  /** Soak warm-up before the start figures (RSS, Redis memory) are taken, seconds. */
  readonly warmupSeconds: number;
  /** Steady request rate of the traffic generator, requests per second over both API processes. */
  readonly rate: number;
  /** Requests in flight at most; past it a tick's requests are skipped and counted (the service is saturated). */
  readonly maxInFlight: number;
  /** Notifications (one per user, email on) in each burst drill. */
  readonly burst: number;
  /** Users the soak's and the restart drills' traffic acts as. */
  readonly users: number;
  /** How long Redis / PostgreSQL stay down in their drills, seconds. */
  readonly outageSeconds: number;
  /** Traffic during the PostgreSQL drill, seconds (the outage sits in its middle). */
  readonly pgTrafficSeconds: number;
  /** Longest wait for the outbox to drain (every email sent) after a drill, seconds. */
  readonly drainSeconds: number;
  /** Per-request client timeout, milliseconds (a request past it is recorded as status 0, "no answer"). */
  readonly requestTimeoutMs: number;
  /** SCHEDULE_CHECK_MS of the scheduler process the redis drill runs (the service's default: 30 s). */
  readonly scheduleCheckMs: number;
  /** DAILY-digest users of the digests drill, each with unread notifications. */
  readonly digestUsers: number;
  /** The SMTP sink's answer delay per message in the digests drill, ms (sends still going when Redis is flushed). */
  readonly digestSmtpDelayMs: number;
  /** The SMTP sink's answer delay per message in the slow-smtp drill, ms. */
  readonly smtpDelayMs: number;
  /** Notifications (one per user, email on) of the slow-smtp drill. */
  readonly slowBurst: number;
  /** EMAIL_LEASE_MS and JOB_LOCK_MS of the workers during the slow-smtp drill. */
  readonly slowLeaseMs: number;
  readonly slowJobLockMs: number;
  /** Longest the slow-smtp drill keeps a worker stopped (SIGSTOP) waiting for its claims to be taken over, seconds. */
  readonly stallSeconds: number;
  /** The sentinel drill's `sentinel down-after-milliseconds` (how long a silent master takes to be called down) and failover-timeout, ms. */
  readonly sentinelDownAfterMs: number;
  readonly sentinelFailoverTimeoutMs: number;
  /** Immediate emails of the smtp-failover drill (smtp-1 is stopped a fifth in). */
  readonly failoverBurst: number;
  /** Users of the webhooks drill (each gets and reads a notification per round) and how long its receiver is down, seconds. */
  readonly webhookUsers: number;
  readonly webhookDownSeconds: number;
  /** Keep the temporary directory (PostgreSQL/Redis data, process logs) after the run. */
  readonly keep: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer ≥ ${min}, got "${raw}"`);
  return n;
}

/** Drills to run: positional words (`npm run drill -- soak crash`) win over DRILLS=soak,crash; default all. */
export function parseDrills(words: readonly string[], env: string | undefined): DrillName[] {
  const asked = words.length ? words : (env ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  if (!asked.length) return [...DRILL_NAMES];
  const unknown = asked.filter((w) => !(DRILL_NAMES as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`unknown drill(s) ${unknown.join(', ')}; known: ${DRILL_NAMES.join(', ')}`);
  return DRILL_NAMES.filter((d) => asked.includes(d));
}

export function loadKnobs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Knobs {
  return {
    drills: parseDrills(argv, env.DRILLS),
    soakSeconds: int(env, 'DRILL_SOAK_SECONDS', 600, 5),
    warmupSeconds: int(env, 'DRILL_WARMUP_SECONDS', 30, 0),
    rate: int(env, 'DRILL_RATE', 100, 1),
    maxInFlight: int(env, 'DRILL_MAX_IN_FLIGHT', 64, 1),
    burst: int(env, 'DRILL_BURST', 20_000, 10),
    users: int(env, 'DRILL_USERS', 200, 10),
    outageSeconds: int(env, 'DRILL_OUTAGE_SECONDS', 5, 1),
    pgTrafficSeconds: int(env, 'DRILL_PG_TRAFFIC_SECONDS', 30, 10),
    drainSeconds: int(env, 'DRILL_DRAIN_SECONDS', 300, 10),
    requestTimeoutMs: int(env, 'DRILL_REQUEST_TIMEOUT_MS', 10_000, 100),
    scheduleCheckMs: int(env, 'DRILL_SCHEDULE_CHECK_MS', 30_000, 100),
    digestUsers: int(env, 'DRILL_DIGEST_USERS', 1_000, 10),
    digestSmtpDelayMs: int(env, 'DRILL_DIGEST_SMTP_DELAY_MS', 100, 0),
    smtpDelayMs: int(env, 'DRILL_SMTP_DELAY_MS', 1_500, 0),
    slowBurst: int(env, 'DRILL_SLOW_BURST', 400, 20),
    slowLeaseMs: int(env, 'DRILL_SLOW_LEASE_MS', 1_000, 1_000),
    slowJobLockMs: int(env, 'DRILL_SLOW_JOB_LOCK_MS', 5_000, 1_000),
    stallSeconds: int(env, 'DRILL_STALL_SECONDS', 120, 1),
    sentinelDownAfterMs: int(env, 'DRILL_SENTINEL_DOWN_AFTER_MS', 1_000, 100),
    sentinelFailoverTimeoutMs: int(env, 'DRILL_SENTINEL_FAILOVER_TIMEOUT_MS', 3_000, 1_000),
    failoverBurst: int(env, 'DRILL_FAILOVER_BURST', 5_000, 20),
    webhookUsers: int(env, 'DRILL_WEBHOOK_USERS', 50, 1),
    webhookDownSeconds: int(env, 'DRILL_WEBHOOK_DOWN_SECONDS', 60, 1),
    keep: env.DRILL_KEEP === '1',
  };
}
