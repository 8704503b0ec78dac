import type pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * How far the replica's replay is behind, as the replica sees it: nothing when it has replayed all
 * the WAL it received (an idle primary writes nothing, and the last replayed commit only grows
 * older), else the age of the last commit it replayed. Null: WAL is waiting but no commit has been
 * replayed since the replica started, so the lag is unknown. A server that is not in recovery (the
 * URL names a primary, or a promoted replica) has none.
 */
const LAG_SQL = `SELECT CASE
  WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
  ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 END AS lag_ms,
  CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS replay_lsn`;

/** An LSN ('16/B374D848') as a number, to compare. */
const lsnValue = (lsn: string): bigint => {
  const [high = '0', low = '0'] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

export type SkipReason = 'down' | 'lag';

export interface ReplicaStatus {
  /** Lag-tolerant reads go to the replica now (reachable, lag known and within the limit). */
  readonly servingReads: boolean;
  /** Null until the first check has answered or failed. */
  readonly reachable: boolean | null;
  readonly lagMs: number | null;
  readonly maxLagMs: number;
}

export interface ReplicaMonitorDeps {
  readonly pool: pg.Pool;
  /**
   * The primary, asked where its WAL ends at each check. The replica alone cannot see WAL it never
   * received: cut off from the primary (network, a stopped WAL receiver) it has replayed all it
   * got and reports no lag while it falls further behind every second.
   */
  readonly primary?: Pick<pg.Pool, 'query'>;
  readonly maxLagMs: number;
  readonly log: Logger;
}

/**
 * Asks the replica its lag about once a second (twice per DATABASE_READ_MAX_LAG_MS when that is
 * shorter), so a request never waits on a lag check or on a replica that stopped answering: reads
 * skip it as soon as one check (or one connection attempt) has failed, until a check succeeds.
 */
export class ReplicaMonitor {
  private reachable: boolean | null = null;
  private lagMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private lastSkip: SkipReason | null = null;
  /** The primary's flushed WAL end at past checks that the replica has not replayed yet, oldest first. */
  private primaryEnds: Array<{ lsn: bigint; at: number }> = [];

  constructor(private readonly deps: ReplicaMonitorDeps) {}

  get intervalMs(): number {
    return Math.min(1_000, Math.max(50, Math.floor(this.deps.maxLagMs / 2)));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.intervalMs).unref();
    void this.check();
  }

  /** One lag check (a check still running is joined, not doubled). */
  check(): Promise<void> {
    this.checking ??= this.ask().finally(() => { this.checking = null; });
    return this.checking;
  }

  private async ask(): Promise<void> {
    try {
      // A replica that accepts connections but never answers counts as down after a second or two.
      const timeout = Math.max(1_000, 2 * this.intervalMs);
      const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeout} ms`)), timeout).unref());
      // The primary first: its WAL end is then no later than what the replica is asked about.
      await Promise.race([this.samplePrimary(), late.catch(() => undefined)]);
      const { rows } = await Promise.race([this.deps.pool.query<{ lag_ms: number | null; replay_lsn: string | null }>(LAG_SQL), late]);
      const lagMs = rows[0]?.lag_ms ?? null;
      this.record(true, lagMs === null ? null : Math.max(lagMs, this.unreplayedMs(rows[0]?.replay_lsn ?? null)));
    } catch (err) {
      this.record(false, null, err as Error);
    }
  }

  private async samplePrimary(): Promise<void> {
    if (!this.deps.primary) return;
    // The primary's trouble is not the replica's: no sample this time.
    const end = await this.deps.primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn').then((r) => r.rows[0]?.lsn, () => undefined);
    if (end === undefined) return;
    this.primaryEnds.push({ lsn: lsnValue(end), at: Date.now() });
    // Bounded while the replica is away: the oldest sample, which sets the lag, is kept.
    if (this.primaryEnds.length > 100) this.primaryEnds.splice(1, 1);
  }

  /** How long ago the primary had flushed WAL the replica has still not replayed (0: none). */
  private unreplayedMs(replayLsn: string | null): number {
    if (replayLsn === null) {
      this.primaryEnds = [];
      return 0;
    }
    const replayed = lsnValue(replayLsn);
    this.primaryEnds = this.primaryEnds.filter((sample) => sample.lsn > replayed);
    return this.primaryEnds.length ? Date.now() - this.primaryEnds[0]!.at : 0;
  }

  /** A connection attempt failed: reads skip the replica until the next check says otherwise. */
  markDown(err: Error): void {
    this.record(false, null, err);
  }

  /** Why a lag-tolerant read goes to the primary now, or null: the replica serves it. */
  skipReason(): SkipReason | null {
    if (this.reachable === false) return 'down';
    // Not checked yet (a process starting, or a replica that hangs on the first check): its lag is
    // unknown, and unknown is not within the limit.
    if (this.reachable === null) return 'lag';
    if (this.reachable === true && (this.lagMs === null || this.lagMs > this.deps.maxLagMs)) return 'lag';
    return null;
  }

  status(): ReplicaStatus {
    return { servingReads: this.skipReason() === null, reachable: this.reachable, lagMs: this.lagMs, maxLagMs: this.deps.maxLagMs };
  }

  private record(reachable: boolean, lagMs: number | null, err?: Error): void {
    this.reachable = reachable;
    this.lagMs = lagMs;
    const skip = this.skipReason();
    if (skip === this.lastSkip) return;
    this.lastSkip = skip;
    // Logged on each change only: a replica down for an hour is one line, not one per request.
    if (skip === 'down') this.deps.log.warn({ err: err?.message }, 'read replica unreachable: lag-tolerant reads go to the primary');
    else if (skip === 'lag') this.deps.log.warn({ lagMs, maxLagMs: this.deps.maxLagMs }, 'read replica lags too far behind: lag-tolerant reads go to the primary');
    else this.deps.log.info({ lagMs }, 'read replica serves lag-tolerant reads');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }
}
