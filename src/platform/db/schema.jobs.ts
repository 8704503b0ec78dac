import type { Generated } from 'kysely';
import type { NullableJson, Timestamp, NullableTimestamp } from './schema.columns.js';

/** Row types of the job console (issue 19), part of schema.ts. */

export const JOB_HISTORY_STATES = ['completed', 'failed'] as const;
export type JobHistoryState = (typeof JOB_HISTORY_STATES)[number];

/** One job's terminal outcome (migrations/0020_job_history.sql), partitioned by day of finished_at. */
export interface JobHistoryTable {
  /** bigint, read as a number (client.ts parses int8). */
  id: Generated<number>;
  queue: string;
  job_id: string;
  name: string;
  state: JobHistoryState;
  data: NullableJson;
  return_summary: string | null;
  failed_reason: string | null;
  stacktrace: string | null;
  attempts: number;
  created_at: Timestamp;
  processed_at: NullableTimestamp;
  finished_at: Timestamp;
  wait_ms: number | null;
  run_ms: number | null;
  worker: string | null;
  schedule_id: string | null;
  search_text: string;
}
