import type { z } from 'zod';
import type { AggregationJobType, AggregationStatus } from '../platform/db/schema.js';
import type { aggregationLogSchema } from './admin.responses.js';

/**
 * What admin needs from other capabilities, declared here and wired by the composition root
 * (src/app.ts), so admin imports none of them: health, digests and analytics satisfy these
 * structurally.
 */

/** PostgreSQL and Redis reachability (the health capability's check). */
export interface HealthCheck {
  check(): Promise<{ readonly postgres: 'up' | 'down'; readonly redis: 'up' | 'down' }>;
}

/** The latest digest run of a frequency (the digests capability's run log). */
export interface DigestRuns {
  lastRun(frequency: 'DAILY' | 'WEEKLY'): Promise<{ readonly run_at: Date } | undefined>;
}

export interface AggregationLogFilter {
  readonly jobType?: AggregationJobType;
  readonly status?: AggregationStatus;
  /** periodStartDate >= startDate. */
  readonly startDate?: Date;
  /** periodEndDate <= endDate. */
  readonly endDate?: Date;
  readonly limit: number;
  readonly offset: number;
}

/** One run of the analytics rollups as the admin API shows it (metadata is the run's own JSON). */
export type AggregationLogEntry = Omit<z.output<typeof aggregationLogSchema>, 'metadata'> & { readonly metadata: unknown };

/** The analytics rollup run log, newest first (analytics owns the table). */
export interface AggregationLogs {
  list(filter: AggregationLogFilter): Promise<{ readonly items: AggregationLogEntry[]; readonly total: number }>;
}
