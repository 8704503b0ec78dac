/** Pure rules of schedule control (the job console's schedules part): what a run is and how it reads. */

export const RUN_TRIGGERS = ['schedule', 'catch-up', 'manual'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** How many runs GET /api/admin/jobs/schedulers/:id/runs answers. */
export const RUNS_SHOWN = 20;

/**
 * Which kind of run a job of a schedule is, by its id: BullMQ names a scheduler's iteration
 * `repeat:<schedule>:<ms>`; the keeper's catch-ups and an admin's runs have the ids of
 * catchUpJobId and manualRunJobId (platform/queue/schedules.ts).
 */
export function triggerOf(jobId: string): RunTrigger {
  if (jobId.startsWith('schedule-catch-up-')) return 'catch-up';
  if (jobId.startsWith('schedule-run-')) return 'manual';
  return 'schedule';
}

/**
 * The schedule a job id names by its shape alone (a Redis listing has ids, not jobs): an iteration,
 * a catch-up or a manual run of `scheduleId`. Exact: `digest-daily` does not claim the runs of
 * `digest-daily-zoned`, whose ids share its prefix.
 */
export function isRunOf(jobId: string, scheduleId: string): boolean {
  const m = /^(?:repeat:(.+):\d+|schedule-(?:catch-up|run)-(.+)-\d+)$/.exec(jobId);
  return m !== null && (m[1] ?? m[2]) === scheduleId;
}

/** The deduplication id of an admin's run-now: one waiting run per schedule, whatever the clicks. */
export const manualRunDedupId = (scheduleId: string): string => `schedule-run-${scheduleId}`;

/** What the WorkerPool returns for an iteration of a paused schedule it did not run (schedule-state.ts). */
const SKIPPED = JSON.stringify({ skipped: 'paused' });

export interface RunView {
  jobId: string;
  trigger: RunTrigger;
  /** completed, failed, skipped (completed without running: the schedule was paused), or waiting/active/prioritized while live. */
  state: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  failedReason: string | null;
}

export interface HistoryRun {
  readonly job_id: string;
  readonly state: string;
  readonly processed_at: Date | null;
  readonly finished_at: Date;
  readonly run_ms: number | null;
  readonly failed_reason: string | null;
  readonly return_summary: string | null;
}

/** A finished run as job_history recorded it. */
export function historyRunView(r: HistoryRun): RunView {
  return {
    jobId: r.job_id, trigger: triggerOf(r.job_id), state: r.state === 'completed' && r.return_summary === SKIPPED ? 'skipped' : r.state,
    startedAt: r.processed_at?.toISOString() ?? null, finishedAt: r.finished_at.toISOString(),
    durationMs: r.run_ms, failedReason: r.failed_reason,
  };
}

export interface LiveRun {
  readonly id: string;
  readonly state: string;
  readonly processedOn?: number | null;
}

/** A run still in Redis: waiting for a worker, or running. */
export function liveRunView(j: LiveRun): RunView {
  return {
    jobId: j.id, trigger: triggerOf(j.id), state: j.state, startedAt: j.processedOn ? new Date(j.processedOn).toISOString() : null,
    finishedAt: null, durationMs: null, failedReason: null,
  };
}

/**
 * The runs shown: the live ones first (a waiting or running run is newer than any finished one),
 * then the finished ones newest first, each job once (a finished row of a job that is live again,
 * retried, gives way to the live one), `limit` in all.
 */
export function mergeRuns(live: readonly RunView[], finished: readonly RunView[], limit = RUNS_SHOWN): RunView[] {
  const liveIds = new Set(live.map((r) => r.jobId));
  return [...live, ...finished.filter((r) => !liveIds.has(r.jobId))].slice(0, limit);
}
