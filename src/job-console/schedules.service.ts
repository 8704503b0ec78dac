import type { Job } from 'bullmq';
import type { AuditRepository } from '../admin/index.js';
import { NotFoundError, UnavailableError } from '../platform/errors.js';
import type { Platform } from '../platform/module.js';
import { lockScheduleState, setSchedulePaused, type ScheduleState } from '../platform/queue/schedule-state.js';
import { catchUpJobId, manualRunJobId, previousRun, restoreSchedule, SCHEDULES, type Schedule } from '../platform/queue/schedules.js';
import type { SchedulesRepository } from './schedules.repository.js';
import { historyRunView, isRunOf, liveRunView, manualRunDedupId, mergeRuns, RUNS_SHOWN, type RunView } from './schedules.rules.js';

export interface SchedulesServiceDeps extends Pick<Platform, 'db' | 'queues'> {
  /** Every change is recorded there (schedule.pause, schedule.resume, schedule.run). */
  readonly audit: AuditRepository;
  readonly runs: SchedulesRepository;
}

/** Running jobs looked at for a schedule's live run: a queue's active list is its workers' concurrency. */
const ACTIVE_SCAN = 500;

/** How long a pause or resume waits for Redis while it holds the schedule's row (and a pool connection), and a run now for its answer. */
const REDIS_WAIT_MS = 5_000;
export const SCHEDULE_NOT_CHANGED = 'Redis is unreachable: the schedule was not changed';
export const RUN_NOT_QUEUED = 'Redis is unreachable: the run was not queued';

/**
 * BullMQ's connection waits for Redis forever; inside a transaction that would hold the row lock
 * and a pool connection until Redis came back (a few clicks during an outage and the API's pool is
 * gone). Past REDIS_WAIT_MS the transaction rolls back with a 503. The command may still run once
 * Redis is back: a scheduler removed or upserted against the state is put right by the keeper's
 * next round (it restores a missing unpaused schedule, removes a registered paused one).
 */
async function redisInTime<T>(work: Promise<T>, message = SCHEDULE_NOT_CHANGED): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(message)), REDIS_WAIT_MS);
  });
  work.catch(() => undefined); // its failure after the timeout is no one's to report
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ScheduleControlView {
  id: string;
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  /** The scheduler's next run (null while paused). */
  nextRun: string | null;
}

/**
 * Schedule control: pause, resume, run now, the last runs. PostgreSQL holds whether a schedule is
 * paused (platform/queue/schedule-state.ts) and BullMQ's job scheduler follows: both change under
 * the schedule's row lock, so two admins pausing and resuming at once end in one coherent state.
 */
export class SchedulesService {
  /** The last run-now's time: each request of this process gets its own job id (see runNow). */
  private lastRunAt = 0;

  constructor(private readonly deps: SchedulesServiceDeps) {}

  private schedule(id: string): Schedule {
    const s = SCHEDULES.find((x) => x.id === id);
    if (!s) throw new NotFoundError('Schedule not found');
    return s;
  }

  private async view(s: Schedule, state: ScheduleState): Promise<ScheduleControlView> {
    const next = state.pausedAt ? null : (await this.deps.queues.get(s.queue).getJobScheduler(s.id))?.next ?? null;
    return {
      id: s.id, paused: state.pausedAt !== null, pausedAt: state.pausedAt?.toISOString() ?? null, pausedBy: state.pausedBy,
      nextRun: next ? new Date(next).toISOString() : null,
    };
  }

  /**
   * Nothing of the schedule runs until it is resumed: its scheduler and the next iteration go
   * (an iteration already due completes as skipped, WorkerPool). Pausing a paused schedule answers
   * the same state, changes and records nothing (but removes a scheduler restored in a race).
   */
  async pause(adminId: string, id: string): Promise<ScheduleControlView> {
    const s = this.schedule(id);
    const state = await this.deps.db.transaction().execute(async (tx) => {
      const before = await lockScheduleState(tx, s.id);
      const after = before.pausedAt ? before : await setSchedulePaused(tx, s.id, { by: adminId });
      // Under the row lock: a resume waiting for it upserts after this removal, never before.
      await redisInTime(this.deps.queues.get(s.queue).removeJobScheduler(s.id));
      if (!before.pausedAt) await this.deps.audit.in(tx).record({ adminId, action: 'schedule.pause', queue: s.queue, details: { schedule: s.id } });
      return after;
    });
    return this.view(s, state);
  }

  /**
   * The scheduler is upserted again, its next run computed from now: runs that fell while it was
   * paused are not made up (the keeper catches up none at or before the resume either).
   */
  async resume(adminId: string, id: string): Promise<ScheduleControlView> {
    const s = this.schedule(id);
    const state = await this.deps.db.transaction().execute(async (tx) => {
      const before = await lockScheduleState(tx, s.id);
      const after = before.pausedAt ? await setSchedulePaused(tx, s.id, null) : before;
      // Registered (again) whatever the state was: resuming a running schedule that Redis lost repairs it.
      await redisInTime((async () => {
        if (!(await this.deps.queues.get(s.queue).getJobScheduler(s.id))?.next) await restoreSchedule(this.deps.queues, s);
      })());
      if (before.pausedAt) await this.deps.audit.in(tx).record({ adminId, action: 'schedule.resume', queue: s.queue, details: { schedule: s.id } });
      return after;
    });
    return this.view(s, state);
  }

  /**
   * One run now, with the schedule's job name and data, paused or not (a manual run is never
   * skipped). BullMQ's deduplication keeps it to one waiting run per schedule: a double click or
   * two admins at once get the run already waiting (`deduplicated`); the WorkerPool frees the key
   * when the run starts, so a click while it runs queues the next one. Every request is audited.
   *
   * With PostgreSQL away nothing is queued (added first and audited after, the run went to
   * Redis, the audit failed, and the admin was told of an error for a run that happened,
   * unaudited). Redis is waited for at most REDIS_WAIT_MS (503, as pause and resume), holding no
   * PostgreSQL connection; should it take the job once back, that run is audited then (`late`).
   */
  async runNow(adminId: string, id: string, now = Date.now()): Promise<{ jobId: string; deduplicated: boolean }> {
    const s = this.schedule(id);
    // Requests of one millisecond would ask for the same id, and BullMQ answers an existing id as
    // if it had added it: each request of this process gets a later millisecond than the last, so
    // `deduplicated` is exact (two API processes in the same millisecond may both read false; one
    // job is added all the same).
    const at = Math.max(now, this.lastRunAt + 1);
    this.lastRunAt = at;
    const requested = manualRunJobId(s.id, at);
    const audit = (jobId: string, late: boolean) => {
      const deduplicated = jobId !== requested;
      return this.deps.audit.record({ adminId, action: 'schedule.run', queue: s.queue, jobId, details: { schedule: s.id, deduplicated, ...(late ? { late } : {}) } })
        .then(() => ({ jobId, deduplicated }));
    };
    await this.deps.audit.reachable();
    const adding = this.deps.queues.get(s.queue).add(s.job, s.data, { jobId: requested, deduplication: { id: manualRunDedupId(s.id) } });
    let job: Job;
    try {
      job = await redisInTime(adding, RUN_NOT_QUEUED);
    } catch (err) {
      // Past the wait (or refused): if Redis still takes it, that run is audited when it does.
      void adding.then((late) => audit(late.id ?? requested, true)).catch(() => undefined);
      throw err;
    }
    return audit(job.id ?? requested, false);
  }

  /** The last RUNS_SHOWN runs, newest first: a waiting or running one from Redis, then job history's. */
  async runs(id: string, now = Date.now()): Promise<RunView[]> {
    const s = this.schedule(id);
    const [live, finished] = await Promise.all([this.liveRuns(s, now), this.deps.runs.finishedRuns(s.id, RUNS_SHOWN)]);
    return mergeRuns(live, finished.map(historyRunView));
  }

  /**
   * Runs in Redis, found without listing the queue's waiting jobs (a digest queue may hold
   * thousands): the iteration at the scheduler's next time once due, the run-now its
   * deduplication key names, the keeper's catch-up of the latest run, and the active list's runs.
   */
  private async liveRuns(s: Schedule, now: number): Promise<RunView[]> {
    const queue = this.deps.queues.get(s.queue);
    const [scheduler, manual, active] = await Promise.all([
      queue.getJobScheduler(s.id), queue.getDeduplicationJobId(manualRunDedupId(s.id)), queue.getRanges(['active'], 0, ACTIVE_SCAN - 1),
    ]);
    const ids = new Set([catchUpJobId(s.id, previousRun(s, now)), ...active.filter((jobId) => isRunOf(jobId, s.id))]);
    if (scheduler?.next) ids.add(`repeat:${s.id}:${scheduler.next}`);
    if (manual) ids.add(manual);
    const jobs = await Promise.all([...ids].map(async (jobId) => {
      const job = await queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      return job && ['waiting', 'prioritized', 'active'].includes(state) ? { job, state } : null;
    }));
    return jobs.filter((j) => j !== null).sort((a, b) => b.job.timestamp - a.job.timestamp)
      .map(({ job, state }) => liveRunView({ id: job.id!, state, processedOn: job.processedOn ?? null }));
  }
}
