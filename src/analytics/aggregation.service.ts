import { UnrecoverableError } from 'bullmq';
import { untilHeld } from '../platform/db/lock-holder.js';
import { InvalidError } from '../platform/errors.js';
import { INVALID_BODY } from '../platform/http/validation.js';
import type { AggregationStatus, AnalyticsLevel } from '../platform/db/schema.js';
import type { Platform } from '../platform/module.js';
import { enqueueInTx, enqueueJobInTx } from '../platform/queue/outbox.js';
import {
  dayNumber, isAligned, periodEndOf, periodKey, periodsOverlapping, periodStartOf, shiftPeriod, type PeriodType,
} from './analytics.periods.js';
import type { EventsRepository } from './events.repository.js';
import { LEVELS, type LevelOutcome, type RollupRepository } from './rollup.repository.js';
import type { RunLogRepository } from './run-log.repository.js';

export type RunTrigger = 'schedule' | 'manual' | 'late' | 'backfill';

export interface RunResult {
  logId: string;
  status: Exclude<AggregationStatus, 'RUNNING'>;
  recordsProcessed: number;
  recordsCreated: number;
  recordsUpdated: number;
  failedLevels: AnalyticsLevel[];
}

/** A run that finished with some levels failed: recorded as PARTIAL, then thrown so BullMQ retries. */
export class PartialRunError extends Error {
  constructor(readonly result: RunResult, message: string) {
    super(message);
    this.name = 'PartialRunError';
  }
}

/** Periods one late pass re-runs before it hands the rest to the next pass (a job's work stays bounded). */
export const LATE_PASS_LIMIT = 100;
/** The dedupe key of AnalyticsLatePass: one pass waits however many ask for it. */
export const LATE_PASS_KEY = 'analytics-late-pass';

const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

export interface AggregationServiceDeps extends Pick<Platform, 'db' | 'log'> {
  readonly events: EventsRepository;
  readonly rollups: RollupRepository;
  readonly runLog: RunLogRepository;
  /** ANALYTICS_RETENTION_MONTHS: raw events older than this many whole months are dropped. */
  readonly retentionMonths: number;
}

/** JOBS.md §3 rollups: one run per period type and period, each logged, each idempotent. */
export class AggregationService {
  constructor(private readonly deps: AggregationServiceDeps) {}

  /** Raw events older than this start have been (or may be) dropped: their periods cannot be re-run. */
  retentionHorizon(now = new Date()): Date {
    return shiftPeriod('monthly', periodStartOf('monthly', now), -this.deps.retentionMonths);
  }

  /**
   * An admin's run of one period, through the outbox: the request commits a row that the relay
   * turns into the job, so Redis losing its data between the answer and the run loses nothing.
   * Returns the job's id (a new one per request). A period whose raw events are gone is a 400 on
   * periodStart.
   */
  async requestRun(jobType: PeriodType, periodStart: Date): Promise<string> {
    const horizon = this.retentionHorizon();
    if (periodStart < horizon) {
      throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: ['periodStart'], message: `raw events before ${horizon.toISOString()} are no longer kept` }]);
    }
    const jobId = `analytics-run-${periodKey(jobType, periodStart)}-${Date.now()}`;
    return enqueueJobInTx(this.deps.db, 'analytics-aggregation', 'AnalyticsAggregate', { jobType, periodStart: periodStart.toISOString(), trigger: 'manual' }, { jobId });
  }

  /**
   * Rolls up one period: RUNNING log row, the period marked started, one statement per level
   * (each its own transaction: a failed level leaves the others' rows in place), then COMPLETED,
   * PARTIAL (some levels failed) or FAILED (none succeeded, or the run could not start). PARTIAL
   * and FAILED throw so that BullMQ retries the whole run; unchanged rows are not rewritten.
   */
  async run(p: { type: PeriodType; start: Date; trigger: RunTrigger }, now = new Date()): Promise<RunResult> {
    if (!isAligned(p.type, p.start)) throw new UnrecoverableError(`${p.start.toISOString()} is not the start of a ${p.type} period`);
    if (p.start < this.retentionHorizon(now)) {
      throw new UnrecoverableError(`${periodKey(p.type, p.start)} is older than the raw events kept (ANALYTICS_RETENTION_MONTHS=${this.deps.retentionMonths})`);
    }
    const end = periodEndOf(p.type, p.start);
    const levels = LEVELS;
    const started = performance.now();
    const logId = await this.deps.runLog.start({ type: p.type, start: p.start, end, metadata: { trigger: p.trigger } });
    const outcomes: Partial<Record<AnalyticsLevel, LevelOutcome & { ms: number }>> = {};
    const failures: Array<{ level: AnalyticsLevel; error: Error }> = [];
    const finish = async (status: RunResult['status'], error: Error | null) => {
      const done = Object.values(outcomes);
      const result: RunResult = {
        logId, status,
        recordsProcessed: outcomes.platform?.scanned ?? Math.max(0, ...done.map((o) => o.scanned)),
        recordsCreated: done.reduce((n, o) => n + o.created, 0),
        recordsUpdated: done.reduce((n, o) => n + o.updated, 0),
        failedLevels: failures.map((f) => f.level),
      };
      await this.deps.runLog.finish(logId, {
        status, processed: result.recordsProcessed, created: result.recordsCreated, updated: result.recordsUpdated,
        errors: error && failures.length === 0 ? 1 : failures.length,
        durationSeconds: Math.round(performance.now() - started) / 1000, memoryMb: mb(process.memoryUsage().rss),
        errorMessage: error?.message ?? null, errorStack: error?.stack ?? null,
        metadata: { trigger: p.trigger, levels: outcomes, ...(failures.length ? { failedLevels: result.failedLevels, errors: Object.fromEntries(failures.map((f) => [f.level, f.error.message])) } : {}) },
      });
      return result;
    };

    try {
      const key = periodKey(p.type, p.start);
      // Its statements commit one by one (markStarted before any event is read), so the period's
      // lock is held by a transaction of its own for the whole run.
      await untilHeld(this.deps.db, (tx) => this.deps.rollups.in(tx).tryLockPeriod(key), async () => {
        const days = periodsOverlapping('daily', p.start, end).map(dayNumber);
        await this.deps.rollups.markStarted({ type: p.type, start: p.start, end, days });
        for (const level of levels) {
          const t0 = performance.now();
          try {
            outcomes[level] = { ...(await this.deps.rollups.aggregateLevel({ type: p.type, level, start: p.start, end })), ms: Math.round(performance.now() - t0) };
          } catch (err) {
            failures.push({ level, error: err as Error });
          }
        }
        if (failures.length === 0) await this.deps.rollups.markCompleted(p.type, p.start);
      });
    } catch (err) {
      await finish('FAILED', err as Error).catch(() => undefined);
      throw err;
    }
    if (failures.length === levels.length) {
      await finish('FAILED', failures[0]!.error);
      throw failures[0]!.error;
    }
    if (failures.length) {
      const message = `${failures.length} of ${levels.length} levels failed: ${failures.map((f) => `${f.level}: ${f.error.message}`).join('; ')}`;
      const partial = await finish('PARTIAL', Object.assign(new Error(message), { stack: failures[0]!.error.stack }));
      throw new PartialRunError(partial, message);
    }
    const result = await finish('COMPLETED', null);
    this.deps.log.info({ period: periodKey(p.type, p.start), trigger: p.trigger, processed: result.recordsProcessed, created: result.recordsCreated, updated: result.recordsUpdated }, 'analytics rollup completed');
    return result;
  }

  /**
   * AnalyticsLatePass: re-runs periods that late events flagged, hours first, up to `limit`; the
   * rest goes to a follow-up pass (same dedupe key as ingestion's). Ingestion asks for a pass, not a
   * run per period, so however many periods a request touches the queue gains at most one waiting
   * job. A failed re-run is flagged again and the pass throws, so BullMQ retries it.
   */
  async latePass(limit = LATE_PASS_LIMIT, now = new Date()): Promise<{ rerun: number; failed: number; more: boolean }> {
    const periods = await this.deps.rollups.flaggedPeriods(limit + 1);
    const batch = periods.slice(0, limit);
    let failed = 0;
    for (const p of batch) {
      try {
        await this.run({ ...p, trigger: 'late' }, now);
      } catch (err) {
        failed++;
        await this.deps.rollups.reflag(p.type, p.start);
        this.deps.log.warn({ period: periodKey(p.type, p.start), err: (err as Error).message }, 'late re-run failed; flagged again');
      }
    }
    const more = periods.length > limit;
    if (more) await this.requestLatePass();
    if (failed) throw new Error(`${failed} of ${batch.length} late re-runs failed`);
    return { rerun: batch.length, failed, more };
  }

  /** Asks for a late pass if any period is flagged (the hourly schedule's safety net: a pass lost or failed for good). */
  async requestLatePassIfFlagged(): Promise<boolean> {
    if ((await this.deps.rollups.flaggedPeriods(1)).length === 0) return false;
    await this.requestLatePass();
    return true;
  }

  private async requestLatePass(): Promise<void> {
    await enqueueInTx(this.deps.db, 'analytics-aggregation', 'AnalyticsLatePass', {}, { dedupeKey: LATE_PASS_KEY });
  }

  /**
   * Every period that a day range [from, to) touches, in dependency order (hours, days, weeks,
   * months), leaving out periods not over yet: rolling up a period still in progress would make
   * all its later events "late".
   */
  backfillPlan(from: Date, to: Date, now = new Date()): Array<{ type: PeriodType; start: Date }> {
    const plan: Array<{ type: PeriodType; start: Date }> = [];
    for (const type of ['hourly', 'daily', 'weekly', 'monthly'] as const) {
      for (const start of periodsOverlapping(type, from, to)) if (periodEndOf(type, start) <= now) plan.push({ type, start });
    }
    return plan;
  }

  /** Re-aggregates a range, reporting progress after each run; stops at the first failure. */
  async backfill(from: Date, to: Date, onProgress: (done: number, total: number, current: string) => void, now = new Date()): Promise<{ runs: number }> {
    if (from < this.retentionHorizon(now)) throw new Error(`--from is before the oldest raw events kept (${this.retentionHorizon(now).toISOString().slice(0, 10)})`);
    const plan = this.backfillPlan(from, to, now);
    onProgress(0, plan.length, '');
    for (const [i, step] of plan.entries()) {
      await this.run({ ...step, trigger: 'backfill' }, now);
      onProgress(i + 1, plan.length, periodKey(step.type, step.start));
    }
    return { runs: plan.length };
  }

  /** Next month's partition ahead of time; raw events and keys past the retention dropped. */
  async maintain(now = new Date()): Promise<{ dropped: string[]; keysDeleted: number }> {
    const month = periodStartOf('monthly', now);
    await this.deps.events.ensurePartitions([month, shiftPeriod('monthly', month, 1)]);
    const horizon = this.retentionHorizon(now);
    const dropped: string[] = [];
    for (const m of await this.deps.events.partitions()) {
      if (m >= horizon) continue;
      await this.deps.events.dropPartition(m);
      dropped.push(m.toISOString().slice(0, 7));
    }
    const keysDeleted = await this.deps.events.deleteKeysBefore(horizon);
    if (dropped.length || keysDeleted) this.deps.log.info({ dropped, keysDeleted }, 'analytics retention applied');
    return { dropped, keysDeleted };
  }
}
