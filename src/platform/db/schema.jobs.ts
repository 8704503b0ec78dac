import type { Generated } from 'kysely';
import type { DefaultTimestamp, NullableJson, Timestamp, NullableTimestamp } from './schema.columns.js';

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

/**
 * A schedule an admin paused or resumed (migrations/0022_job_schedule_state.sql); no row: never
 * paused. Read and written by platform/queue/schedule-state.ts only.
 */
export interface JobScheduleStateTable {
  id: string;
  paused_at: NullableTimestamp;
  paused_by: string | null;
  resumed_at: NullableTimestamp;
}

export const JOB_METRICS_GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type JobMetricsGranularity = (typeof JOB_METRICS_GRANULARITIES)[number];

/**
 * One queue's bucket of job metrics at one level (migrations/0021_job_metrics.sql); queue 'all' is
 * every queue together. Percentiles in milliseconds, exact over the bucket's history rows.
 */
export interface JobMetricsTable {
  queue: string;
  granularity: JobMetricsGranularity;
  bucket_start: Timestamp;
  completed: number;
  failed: number;
  wait_p50: number | null;
  wait_p95: number | null;
  wait_p99: number | null;
  run_p50: number | null;
  run_p95: number | null;
  run_p99: number | null;
  computed_at: DefaultTimestamp;
}

/** How far each level of the job metrics is rolled up (end of the last bucket computed). */
export interface JobMetricsRollupsTable {
  granularity: JobMetricsGranularity;
  rolled_to: Timestamp;
  rolled_at: DefaultTimestamp;
}
