import { untilHeld } from '../platform/db/lock-holder.js';
import { NotFoundError } from '../platform/errors.js';
import type { Platform } from '../platform/module.js';
import { isQueueName } from '../platform/queue/registry.js';
import type { MetricsRepository } from './metrics.repository.js';
import {
  ALL_QUEUES, ceilTo, chunks, fillBuckets, floorTo, GRANULARITIES, rerollBuckets, retentionHorizon, rollupFloor, rollupWindow,
  type Granularity, type MetricsBucket, type MetricsRetention,
} from './metrics.rules.js';

export interface MetricsServiceDeps extends Pick<Platform, 'db' | 'log'> {
  readonly metrics: MetricsRepository;
  /** JOB_METRICS_MINUTE_HOURS / _HOUR_DAYS / _DAY_MONTHS. */
  readonly retention: MetricsRetention;
  /** JOB_HISTORY_DAYS: history older than its whole days is gone, so no bucket before it is recomputed. */
  readonly historyDays: number;
  /** JOB_HISTORY_FLUSH_MS: how late history rows may land (the minute re-roll covers it). */
  readonly flushMs: number;
}

export interface LevelRollup {
  granularity: Granularity;
  /** The window computed (null: nothing closed since the last run's window). */
  from: string | null;
  to: string | null;
  /** History rows read and buckets (queues × intervals) written or changed. */
  scanned: number;
  written: number;
  /** Buckets of this level purged past its retention. */
  purged: number;
  ms: number;
}

export interface MetricsSeries {
  queue: string;
  granularity: Granularity;
  from: string;
  to: string;
  buckets: MetricsBucket[];
}

/**
 * Job metrics over time (issue 19): per-queue buckets by minute, hour and day rolled up from
 * job_history (JobMetricsRollup), and the series the admin API reads.
 */
export class MetricsService {
  constructor(private readonly deps: MetricsServiceDeps) {}

  /** One scheduled run: the given level, or every level in order (minute, hour, day). */
  async rollup(granularity: Granularity | undefined, now = new Date()): Promise<LevelRollup[]> {
    const out: LevelRollup[] = [];
    for (const g of granularity ? [granularity] : GRANULARITIES) out.push(await this.rollLevel(g, now));
    return out;
  }

  /**
   * One level: every closed bucket since the watermark and the last few again (metrics.rules.ts
   * rollupWindow), statement by statement (the watermark moves after each, so a run cut short
   * resumes), then the level's retention. Runs of one level take turns (the second recomputes
   * with a fresh snapshot and, values unchanged, writes nothing).
   */
  async rollLevel(g: Granularity, now = new Date()): Promise<LevelRollup> {
    const started = performance.now();
    const { metrics, db } = this.deps;
    return untilHeld(db, (tx) => metrics.in(tx).tryLockLevel(g), async () => {
      const floor = rollupFloor(g, now, this.deps.historyDays, this.deps.retention);
      const window = rollupWindow({ g, now, rolledTo: await metrics.rolledTo(g), reroll: rerollBuckets(g, this.deps.flushMs), floor });
      const { scanned, written } = window ? await this.compute(g, window.from, window.to, true) : { scanned: 0, written: 0 };
      const purged = await metrics.purge(g, retentionHorizon(g, now, this.deps.retention));
      const result: LevelRollup = {
        granularity: g, from: window?.from.toISOString() ?? null, to: window?.to.toISOString() ?? null, scanned, written, purged,
        ms: Math.round(performance.now() - started),
      };
      if (written || purged) this.deps.log.debug(result, 'job metrics rolled up');
      return result;
    });
  }

  /**
   * Recomputes an explicit window [from, to) of one level (aligned outward to whole buckets; the
   * watermark is left alone): a backfill, the bench, tests. Takes its turn with
   * the scheduled runs of the level.
   */
  async rollWindow(g: Granularity, from: Date, to: Date): Promise<{ scanned: number; written: number }> {
    const { metrics, db } = this.deps;
    return untilHeld(db, (tx) => metrics.in(tx).tryLockLevel(g), () => this.compute(g, floorTo(g, from), ceilTo(g, to), false));
  }

  /** [from, to) in statements of CHUNK_BUCKETS buckets; `advance`: the watermark moves after each. */
  private async compute(g: Granularity, from: Date, to: Date, advance: boolean): Promise<{ scanned: number; written: number }> {
    let scanned = 0;
    let written = 0;
    for (const c of chunks(g, from, to)) {
      const r = await this.deps.metrics.rollUp(g, c.from, c.to);
      scanned += r.scanned;
      written += r.written;
      if (advance) await this.deps.metrics.advance(g, c.to);
    }
    return { scanned, written };
  }

  /** Every bucket of [from, to) of one queue (or 'all'), oldest first; an unknown queue is 404 as on the other queue routes. */
  async series(queue: string, g: Granularity, range: { from: Date; to: Date }): Promise<MetricsSeries> {
    if (queue !== ALL_QUEUES && !isQueueName(queue)) throw new NotFoundError('Queue not found');
    const rows = await this.deps.metrics.read(queue, g, range.from, range.to);
    return { queue, granularity: g, from: range.from.toISOString(), to: range.to.toISOString(), buckets: fillBuckets(g, range.from, range.to, rows) };
  }
}
