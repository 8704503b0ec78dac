import { Repository } from '../platform/db/repository.js';
import type { HistoryRun } from './schedules.rules.js';

/** The schedules part's reads of job_history (the history part writes it). */
export class SchedulesRepository extends Repository {
  /**
   * A schedule's last finished runs, newest first: job_history_schedule_idx (schedule_id,
   * finished_at DESC) in each day's partition, merged. Lag-tolerant (readDb): a run that just
   * finished shows on the next look, as it does after the history's own flush delay.
   */
  finishedRuns(scheduleId: string, limit: number): Promise<HistoryRun[]> {
    return this.readDb.selectFrom('job_history')
      .select(['job_id', 'state', 'processed_at', 'finished_at', 'run_ms', 'failed_reason', 'return_summary'])
      .where('schedule_id', '=', scheduleId)
      .orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }
}
