import type { Db, Executor } from '../db/client.js';
import { SCHEDULES, scheduleIdOf, type Schedule } from './schedules.js';

/**
 * Which schedules an admin paused (job_schedule_state, migrations/0022). PostgreSQL holds the
 * truth and BullMQ's job schedulers follow it: the job console's pause removes the scheduler and
 * its next iteration, its resume upserts it again; the ScheduleKeeper (schedules.ts) neither
 * restores a paused schedule nor leaves one registered, and the WorkerPool completes an iteration
 * of a paused schedule without running it (skipPausedRun). Platform code, since the keeper and
 * the workers are; admin and the job console read it from here too.
 */
export interface ScheduleState {
  readonly id: string;
  /** Set while paused. */
  readonly pausedAt: Date | null;
  /** The admin who paused it (null when that user was deleted, or not paused). */
  readonly pausedBy: string | null;
  /** The last resume: runs at or before it are never caught up (they were skipped while paused). */
  readonly resumedAt: Date | null;
}

export type SchedulePause = Pick<ScheduleState, 'pausedAt' | 'pausedBy'> & { readonly pausedAt: Date };

type Row = { id: string; paused_at: Date | null; paused_by: string | null; resumed_at: Date | null };
const toState = (r: Row): ScheduleState => ({ id: r.id, pausedAt: r.paused_at, pausedBy: r.paused_by, resumedAt: r.resumed_at });

/** Every schedule with a row (paused now, or paused once), by id. A handful of rows: one read. */
export async function scheduleStates(db: Executor): Promise<Map<string, ScheduleState>> {
  const rows = await db.selectFrom('job_schedule_state').select(['id', 'paused_at', 'paused_by', 'resumed_at']).execute();
  return new Map(rows.map((r) => [r.id, toState(r)]));
}

/** The paused schedules, by id, with when and by whom. */
export async function pausedSchedules(db: Executor): Promise<Map<string, SchedulePause>> {
  const rows = await db.selectFrom('job_schedule_state').select(['id', 'paused_at', 'paused_by']).where('paused_at', 'is not', null).execute();
  return new Map(rows.map((r) => [r.id, { pausedAt: r.paused_at!, pausedBy: r.paused_by }]));
}

/** The schedules to register at boot: every one not paused. */
export async function unpausedSchedules(db: Executor, schedules: readonly Schedule[] = SCHEDULES): Promise<Schedule[]> {
  const paused = await pausedSchedules(db);
  return schedules.filter((s) => !paused.has(s.id));
}

/**
 * A schedule's state row, locked until the transaction ends (made first if it had none): two
 * admins pausing and resuming one schedule at once take turns, each seeing the other's result.
 */
export async function lockScheduleState(tx: Executor, id: string): Promise<ScheduleState> {
  await tx.insertInto('job_schedule_state').values({ id }).onConflict((oc) => oc.column('id').doNothing()).execute();
  return toState(await tx.selectFrom('job_schedule_state').select(['id', 'paused_at', 'paused_by', 'resumed_at']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow());
}

/**
 * Runs `work` with a schedule's state as read under its row lock (lockScheduleState), in one
 * transaction: the ScheduleKeeper's restore or removal of a scheduler takes turns with an admin's
 * pause and resume (which change the state and the scheduler under the same lock), so it acts on
 * the state that holds when it acts, never on one read before a pause or resume committed.
 */
export function withScheduleState<T>(db: Db, id: string, work: (state: ScheduleState) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => work(await lockScheduleState(tx, id)));
}

/** Pauses (`{ by }`: the admin) or resumes (null) a schedule whose row the caller locked; its new state. */
export async function setSchedulePaused(tx: Executor, id: string, pause: { by: string | null } | null): Promise<ScheduleState> {
  const set = pause
    ? { paused_at: new Date(), paused_by: pause.by }
    : { paused_at: null, paused_by: null, resumed_at: new Date() };
  return toState(await tx.updateTable('job_schedule_state').set(set).where('id', '=', id)
    .returning(['id', 'paused_at', 'paused_by', 'resumed_at']).executeTakeFirstOrThrow());
}

/**
 * What the WorkerPool answers for a run it must not start: an iteration (or a keeper's catch-up)
 * of a paused schedule. Pausing removes the scheduler and its delayed iteration, but an iteration
 * already due (waiting) stays, and a keeper that read "not paused" just before a pause may restore
 * the scheduler until its next round removes it again: such a run completes as skipped. Manual
 * runs (schedule-run-*) run whatever the state. Other jobs cost no query.
 */
export async function skipPausedRun(db: Db, job: { readonly id?: string | null; readonly repeatJobKey?: string | null }): Promise<{ skipped: 'paused' } | null> {
  if (!job.repeatJobKey && !job.id?.startsWith('schedule-catch-up-')) return null;
  const id = scheduleIdOf(job);
  if (id === null) return null;
  const row = await db.selectFrom('job_schedule_state').select('id').where('id', '=', id).where('paused_at', 'is not', null).executeTakeFirst();
  return row ? { skipped: 'paused' } : null;
}
