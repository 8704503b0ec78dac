import { CronExpressionParser } from 'cron-parser';
import type { Logger } from '../logger.js';
import type { Queues } from './queues.js';
import type { ScheduleState } from './schedule-state.js';
import type { JobName, JobPayload, QueueName } from './registry.js';

/**
 * One recurring job: a BullMQ job scheduler, upserted at boot and again whenever Redis lost it
 * (ScheduleKeeper; idempotent across processes).
 */
export interface Schedule<Q extends QueueName = QueueName, J extends JobName<Q> = JobName<Q>> {
  readonly id: string;
  readonly queue: Q;
  readonly pattern: string;
  readonly tz: string;
  readonly job: J;
  readonly data: JobPayload<Q, J>;
  readonly description: string;
}

const schedule = <Q extends QueueName, J extends JobName<Q>>(s: Schedule<Q, J>): Schedule => s as unknown as Schedule;

/** Every recurring job of the system, in one place. */
export const SCHEDULES: readonly Schedule[] = [
  schedule({ id: 'digest-daily', queue: 'notification-digest', pattern: '0 9 * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'DAILY', scope: 'utc' }, description: 'Daily digests at 09:00 UTC (users without a time zone)' }),
  schedule({ id: 'digest-weekly', queue: 'notification-digest', pattern: '0 9 * * 1', tz: 'UTC', job: 'DigestRun', data: { frequency: 'WEEKLY', scope: 'utc' }, description: 'Weekly digests on Monday 09:00 UTC (users without a time zone)' }),
  schedule({ id: 'digest-daily-zoned', queue: 'notification-digest', pattern: '*/15 * * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'DAILY', scope: 'zoned' }, description: 'Daily digests at 09:00 in each user\'s own time zone' }),
  schedule({ id: 'digest-weekly-zoned', queue: 'notification-digest', pattern: '*/15 * * * *', tz: 'UTC', job: 'DigestRun', data: { frequency: 'WEEKLY', scope: 'zoned' }, description: 'Weekly digests on Monday 09:00 in each user\'s own time zone' }),
  schedule({ id: 'notification-retention', queue: 'notification-inbox', pattern: '40 * * * *', tz: 'UTC', job: 'NotificationsPurge', data: {}, description: 'Purges expired notifications and read ones older than NOTIFICATION_RETENTION_DAYS, in bounded batches, hourly at :40' }),
  schedule({ id: 'analytics-hourly', queue: 'analytics-aggregation', pattern: '5 * * * *', tz: 'UTC', job: 'AnalyticsAggregate', data: { jobType: 'hourly' }, description: 'Hourly analytics rollup of the previous hour, at :05' }),
  // After the 00:05 hourly run that closes the day (the daily reads raw events, not hourly rows).
  schedule({ id: 'analytics-daily', queue: 'analytics-aggregation', pattern: '10 0 * * *', tz: 'UTC', job: 'AnalyticsAggregate', data: { jobType: 'daily' }, description: 'Daily analytics rollup of yesterday, at 00:10 UTC' }),
  schedule({ id: 'analytics-weekly', queue: 'analytics-aggregation', pattern: '0 4 * * 1', tz: 'UTC', job: 'AnalyticsAggregate', data: { jobType: 'weekly' }, description: 'Weekly analytics rollup of last ISO week, Monday 04:00 UTC' }),
  schedule({ id: 'analytics-monthly', queue: 'analytics-aggregation', pattern: '0 5 2 * *', tz: 'UTC', job: 'AnalyticsAggregate', data: { jobType: 'monthly' }, description: 'Monthly analytics rollup of last month, on the 2nd at 05:00 UTC' }),
  schedule({ id: 'analytics-maintenance', queue: 'analytics-aggregation', pattern: '30 3 * * *', tz: 'UTC', job: 'AnalyticsMaintain', data: {}, description: 'Events partition for next month; raw events past ANALYTICS_RETENTION_MONTHS dropped' }),
  schedule({ id: 'search-reindex', queue: 'search-index-reindex', pattern: '0 3 * * 0', tz: 'UTC', job: 'SearchReindex', data: { trigger: 'schedule' }, description: 'Full search reindex, Sundays 03:00 UTC: repairs drift and reports it' }),
  // Safety net of scheduled publication: one indexed read and one job-state lookup per scheduled post.
  schedule({ id: 'media-sweep', queue: 'media-scan', pattern: '23 * * * *', tz: 'UTC', job: 'MediaSweep', data: {}, description: 'Removes stored files no asset references and stale job temp folders (older than MEDIA_SWEEP_GRACE_MS)' }),
  schedule({ id: 'blog-reconcile', queue: 'blog-publish', pattern: '* * * * *', tz: 'UTC', job: 'BlogReconcile', data: {}, description: 'Publishes due blog posts whose job is missing; re-adds missing publish jobs' }),
  // Job metrics (job-console/metrics.*): each level from its watermark, the last buckets again (history lands up to JOB_HISTORY_FLUSH_MS late).
  schedule({ id: 'job-metrics-minute', queue: 'job-console', pattern: '* * * * *', tz: 'UTC', job: 'JobMetricsRollup', data: { granularity: 'minute' }, description: 'Job metrics: minute buckets since the last run and the last 5 minutes again; minute buckets past JOB_METRICS_MINUTE_HOURS purged' }),
  schedule({ id: 'job-metrics-hour', queue: 'job-console', pattern: '2 * * * *', tz: 'UTC', job: 'JobMetricsRollup', data: { granularity: 'hour' }, description: 'Job metrics: the hour just closed and the one before, at :02; hourly buckets past JOB_METRICS_HOUR_DAYS purged' }),
  schedule({ id: 'job-metrics-day', queue: 'job-console', pattern: '20 0 * * *', tz: 'UTC', job: 'JobMetricsRollup', data: { granularity: 'day' }, description: 'Job metrics: yesterday (UTC), at 00:20; daily buckets past JOB_METRICS_DAY_MONTHS purged' }),
  // Job history (platform/queue/job-history.ts) lives in daily partitions: days ahead made, days past JOB_HISTORY_DAYS dropped whole.
  schedule({ id: 'job-history-maintenance', queue: 'job-console', pattern: '15 0 * * *', tz: 'UTC', job: 'JobHistoryMaintain', data: {}, description: 'Job history: partitions for today and the next 3 days made, days older than JOB_HISTORY_DAYS dropped, at 00:15 UTC' }),
];

/** Registers every schedule; any number of scheduler processes may do this at once. */
export async function upsertSchedules(queues: Queues, schedules: readonly Schedule[] = SCHEDULES): Promise<void> {
  for (const s of schedules) {
    await queues.get(s.queue).upsertJobScheduler(s.id, { pattern: s.pattern, tz: s.tz }, { name: s.job, data: s.data });
  }
}

/**
 * Upserts a schedule that was found missing. A partial loss (keys deleted one by one, a flush racing
 * a restore) can leave the scheduler's next iteration job behind without the scheduler; BullMQ then
 * refuses the upsert ("job ID already exists") for as long as that job waits, so the stale iteration
 * is removed first and the upsert repeated.
 */
export async function restoreSchedule(queues: Queues, s: Schedule): Promise<void> {
  const queue = queues.get(s.queue);
  try {
    await upsertSchedules(queues, [s]);
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
    // BullMQ names an iteration by its run time, computed from the real clock as the upsert does.
    const next = CronExpressionParser.parse(s.pattern, { currentDate: new Date(), tz: s.tz }).next().getTime();
    await queue.remove(`repeat:${s.id}:${next}`);
    await upsertSchedules(queues, [s]);
  }
}

/** The next run of a schedule as BullMQ has it, or null when it is not registered. */
export async function nextRunOf(queues: Queues, id: string): Promise<Date | null> {
  const s = SCHEDULES.find((x) => x.id === id);
  if (!s) return null;
  const scheduler = await queues.get(s.queue).getJobScheduler(id);
  return scheduler?.next ? new Date(scheduler.next) : null;
}

/**
 * The latest run of a schedule at or before `at` (ms), by its cron pattern in its time zone, with
 * the parser BullMQ computes its runs with.
 */
export function previousRun(s: Pick<Schedule, 'pattern' | 'tz'>, at: number): number {
  return CronExpressionParser.parse(s.pattern, { currentDate: new Date(at + 1), tz: s.tz }).prev().getTime();
}

/** The one-off job that makes up for a run of `scheduleId` lost with Redis: the same id in every process. */
export const catchUpJobId = (scheduleId: string, runAt: number): string => `schedule-catch-up-${scheduleId}-${runAt}`;

/** A run an admin asked for (POST /api/admin/jobs/schedulers/:id/run): `at` is the request's time (ms). */
export const manualRunJobId = (scheduleId: string, at: number): string => `schedule-run-${scheduleId}-${at}`;

/**
 * The schedule a job is a run of: a scheduler iteration (BullMQ sets repeatJobKey to the
 * scheduler's id), a catch-up (catchUpJobId) or a manual run (manualRunJobId); null for any other
 * job. Ids are matched against SCHEDULES, so a job id that merely looks like one names nothing.
 */
export function scheduleIdOf(job: { readonly id?: string | null; readonly repeatJobKey?: string | null }, schedules: readonly Pick<Schedule, 'id'>[] = SCHEDULES): string | null {
  if (job.repeatJobKey) return schedules.some((s) => s.id === job.repeatJobKey) ? job.repeatJobKey : null;
  const m = /^schedule-(?:catch-up|run)-(.+)-\d+$/.exec(job.id ?? '');
  return m && schedules.some((s) => s.id === m[1]) ? m[1]! : null;
}

/**
 * Job schedulers live only in Redis: a FLUSHALL, a restart without persistence or a failover to a
 * lagging replica loses them, and nothing recurring would run again until a scheduler process
 * restarted. Every scheduler process therefore checks them every `intervalMs` and restores the
 * missing ones (upserting is idempotent, so several schedulers may do it at once).
 *
 * A restored scheduler's next run is computed from now, so a run whose time fell between the loss
 * and the restore would never happen (a monthly rollup would wait a month). The keeper therefore
 * remembers, per schedule, the earliest run not yet taken when it last saw the scheduler (its
 * `next`, or the check's time if that is earlier); when it restores one whose latest run is at or
 * after that, it also adds that run as a one-off job with the scheduler's name and data, stamped
 * with the run's time (handlers act as of `timestamp + delay`: a rollup closes the period before
 * the missed run, not before now) and a job id fixed by schedule and run, so two schedulers
 * restoring at once add it once. Only the latest missed run of each schedule is made up.
 *
 * A schedule an admin paused (schedule-state.ts) is never restored, and one found registered while
 * paused is removed. The round reads every state at once, but restores or removes a scheduler only
 * under its schedule's row lock, as of the state read there (`lock`): a pause or resume that
 * committed after the first read is what the round acts on (restoring a schedule just paused
 * would run it; removing one just resumed would stop it until the next round). Without PostgreSQL
 * it acts on the states read last (the WorkerPool skips a paused schedule's runs all the same).
 * Runs at or before a schedule's last resume are never caught up: they were skipped.
 */
export class ScheduleKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Per schedule: runs at or after this (ms) had not been taken by a worker when last seen. */
  private readonly untakenFrom = new Map<string, number>();
  /** The states read last: a round that cannot read PostgreSQL still restores what Redis lost, as of them. */
  private states: ReadonlyMap<string, Pick<ScheduleState, 'pausedAt' | 'resumedAt'>> = new Map();

  constructor(private readonly deps: {
    queues: Queues; log: Logger; intervalMs: number; schedules?: readonly Schedule[];
    /** Which schedules are paused, and their last resume (schedule-state.ts's scheduleStates over the database). */
    states: () => Promise<ReadonlyMap<string, Pick<ScheduleState, 'pausedAt' | 'resumedAt'>>>;
    /**
     * Runs a restore or removal under the schedule's row lock with its state read there
     * (schedule-state.ts's withScheduleState). Without it (tests with states of their own), the
     * states read at the start of the round.
     */
    lock?: <T>(id: string, work: (state: Pick<ScheduleState, 'pausedAt' | 'resumedAt'>) => Promise<T>) => Promise<T>;
    /** Told each restored schedule (metrics). */
    onRestored?: (id: string, queue: QueueName) => void;
    /** The clock (tests). */
    now?: () => number;
  }) {}

  /** Checks at once (so a loss right after boot is caught up too), then every `intervalMs`. */
  start(): void {
    const round = () => {
      this.running ??= this.check().then(() => {
        this.running = null;
      });
    };
    round();
    this.timer = setInterval(round, this.deps.intervalMs);
    this.timer.unref();
  }

  /**
   * `work` with the schedule's state under its row lock (`lock`), or as read last when there is no
   * lock or PostgreSQL cannot give it (a Redis loss is repaired whatever PostgreSQL does).
   */
  private async locked<T>(id: string, work: (state: Pick<ScheduleState, 'pausedAt' | 'resumedAt'> | undefined) => Promise<T>): Promise<T> {
    const lock = this.deps.lock;
    if (!lock) return work(this.states.get(id));
    let entered = false;
    try {
      return await lock(id, (state) => {
        entered = true;
        return work(state);
      });
    } catch (err) {
      if (entered) throw err;
      this.deps.log.warn({ schedule: id, err: (err as Error).message }, 'schedule check: pause state unlockable; acting on the last one read');
      return work(this.states.get(id));
    }
  }

  /** One round; a Redis that is away is checked again on the next one. */
  async check(): Promise<string[]> {
    const { queues, log } = this.deps;
    try {
      const now = this.deps.now?.() ?? Date.now();
      this.states = await this.deps.states().catch((err: Error) => {
        log.warn({ err: err.message }, 'schedule check: pause states unreadable; using the last ones read');
        return this.states;
      });
      const missing: Schedule[] = [];
      const unpaused: string[] = [];
      for (const s of this.deps.schedules ?? SCHEDULES) {
        const state = this.states.get(s.id);
        if (state?.pausedAt) {
          // Paused: nothing is owed for it, and a scheduler restored in a race goes again, unless
          // a resume committed since the states were read (it registered the scheduler to keep).
          this.untakenFrom.delete(s.id);
          // Not registered (the usual case): nothing to remove, no lock taken.
          if (!(await queues.get(s.queue).getJobScheduler(s.id))) continue;
          const removed = await this.locked(s.id, async (fresh) => Boolean(fresh?.pausedAt) && await queues.get(s.queue).removeJobScheduler(s.id));
          if (removed) unpaused.push(s.id);
          continue;
        }
        const scheduler = await queues.get(s.queue).getJobScheduler(s.id);
        // A scheduler without a next run (its hash survived, its entry in the schedule set did not:
        // a partial loss, e.g. a flush racing a restore) never fires: restore it as missing.
        if (scheduler) this.untakenFrom.set(s.id, Math.min(scheduler.next ?? now, now));
        else missing.push(s);
      }
      const caughtUp: Array<{ schedule: string; runAt: string }> = [];
      const restored: string[] = [];
      for (const s of missing) {
        // Under the row lock, as of the state then: a schedule paused since the read is not restored.
        const done = await this.locked(s.id, async (state) => {
          if (state?.pausedAt) return 'paused' as const;
          // Another scheduler process repaired it while this one waited for the lock: one restore,
          // counted once (herald_schedules_restored_total is summed over processes).
          if ((await queues.get(s.queue).getJobScheduler(s.id))?.next) return 'present' as const;
          // The catch-up first: if the restore fails, the next round finds it missing again.
          const since = this.untakenFrom.get(s.id);
          const runAt = previousRun(s, now);
          const resumedAt = state?.resumedAt?.getTime();
          if (since !== undefined && runAt >= since && !(resumedAt !== undefined && runAt <= resumedAt)) {
            await queues.get(s.queue).add(s.job, s.data, { jobId: catchUpJobId(s.id, runAt), timestamp: runAt });
            caughtUp.push({ schedule: s.id, runAt: new Date(runAt).toISOString() });
          }
          await restoreSchedule(queues, s);
          return 'restored' as const;
        });
        if (done === 'paused') {
          this.untakenFrom.delete(s.id);
          continue;
        }
        this.untakenFrom.set(s.id, now);
        if (done === 'present') continue;
        restored.push(s.id);
        this.deps.onRestored?.(s.id, s.queue);
      }
      if (restored.length) log.warn({ restored, caughtUp }, 'job schedulers missing from Redis (flushed or failed over): restored, runs missed meanwhile added');
      if (unpaused.length) log.warn({ removed: unpaused }, 'paused schedules found registered (restored in a race with their pause): removed');
      return restored;
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'schedule check failed; will retry');
      return [];
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
