import { z } from 'zod';
import { int } from './config.values.js';

/**
 * The job console's knobs (issue 19; docs/OPERATIONS.md, Job console), parsed with the rest of the
 * environment by config.ts: history recording and retention, how long metrics buckets are kept,
 * bulk operations' page size, and how far job search reads and counts.
 */
export const jobConsoleEnv = {
  // The job console (issue 19). History: every job's terminal outcome in PostgreSQL, written in
  // batches (flushed every JOB_HISTORY_FLUSH_MS or JOB_HISTORY_BATCH rows), at most
  // JOB_HISTORY_BUFFER_MAX waiting per process while PostgreSQL is away (the oldest dropped, counted).
  JOB_HISTORY: z.enum(['on', 'off']).default('on'),
  JOB_HISTORY_DAYS: int(1, 3_650).default(30),
  JOB_HISTORY_FLUSH_MS: int(10, 60_000).default(1_000),
  JOB_HISTORY_BATCH: int(1, 10_000).default(500),
  JOB_HISTORY_BUFFER_MAX: int(100, 1_000_000).default(20_000),
  JOB_HISTORY_DATA_MAX_BYTES: int(0, 1_048_576).default(8_192),
  // Metrics over time: how long each granularity's buckets are kept.
  JOB_METRICS_MINUTE_HOURS: int(1, 24 * 14).default(24),
  JOB_METRICS_HOUR_DAYS: int(1, 3_650).default(90),
  JOB_METRICS_DAY_MONTHS: int(1, 120).default(13),
  // Bulk operations by filter act in pages of this many jobs; live-job search reads at most this many per queue and state.
  JOB_BULK_PAGE_SIZE: int(10, 10_000).default(1_000),
  JOB_SEARCH_LIVE_SCAN: int(0, 100_000).default(2_000),
  // Job search counts history matches exactly up to this many (past it: totalExact false); the cost of a broad search grows with it.
  JOB_SEARCH_COUNT_CAP: int(100, 100_000).default(2_000),
  // Job search's history statement is cancelled past this (400: narrow the search), so no q holds a PostgreSQL backend for minutes.
  JOB_SEARCH_TIMEOUT_MS: int(100, 600_000).default(5_000),
};

type JobConsoleEnv = { [K in keyof typeof jobConsoleEnv]: z.output<(typeof jobConsoleEnv)[K]> };

export interface JobConsoleConfig {
  readonly history: { readonly enabled: boolean; readonly days: number; readonly flushMs: number; readonly batch: number; readonly bufferMax: number; readonly dataMaxBytes: number };
  readonly metrics: { readonly minuteHours: number; readonly hourDays: number; readonly dayMonths: number };
  readonly bulkPageSize: number;
  readonly searchLiveScan: number;
  readonly searchCountCap: number;
  readonly searchTimeoutMs: number;
}

export function jobConsoleConfig(e: JobConsoleEnv): JobConsoleConfig {
  return {
    history: {
      enabled: e.JOB_HISTORY === 'on', days: e.JOB_HISTORY_DAYS, flushMs: e.JOB_HISTORY_FLUSH_MS, batch: e.JOB_HISTORY_BATCH,
      bufferMax: e.JOB_HISTORY_BUFFER_MAX, dataMaxBytes: e.JOB_HISTORY_DATA_MAX_BYTES,
    },
    metrics: { minuteHours: e.JOB_METRICS_MINUTE_HOURS, hourDays: e.JOB_METRICS_HOUR_DAYS, dayMonths: e.JOB_METRICS_DAY_MONTHS },
    bulkPageSize: e.JOB_BULK_PAGE_SIZE,
    searchLiveScan: e.JOB_SEARCH_LIVE_SCAN,
    searchCountCap: e.JOB_SEARCH_COUNT_CAP,
    searchTimeoutMs: e.JOB_SEARCH_TIMEOUT_MS,
  };
}
