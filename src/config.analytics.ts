import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { int } from './config.values.js';

/**
 * Analytics' knobs (JOBS.md §3; docs/OPERATIONS.md, Analytics event ids), parsed with the rest of
 * the environment by config.ts: producers' key, GeoIP, retention, the ingestion endpoint's limits
 * and its id blocks reserved ahead.
 */
export const analyticsEnv = {
  ANALYTICS_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  GEOIP_DB: z.string().min(1).refine((p) => existsSync(p), 'file not found').optional(),
  // At least 4: events may arrive up to 90 days late, and their month's partition must still exist.
  ANALYTICS_RETENTION_MONTHS: int(4, 1200).default(13),
  ANALYTICS_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(4 * 1024 * 1024),
  ANALYTICS_USER_EVENTS_PER_HOUR: int(1, 100_000_000).default(5_000),
  ANALYTICS_ID_PREFETCH: int(1, 1_024).default(16),
  ANALYTICS_ID_PREFETCH_MAX_AGE_MS: int(0, 60_000).default(1_000),
};

type AnalyticsEnv = z.output<z.ZodObject<typeof analyticsEnv>>;

/** Server-side producers' key (X-Analytics-Key), the GeoIP database, raw-event retention in months. */
export interface AnalyticsConfig {
  readonly key: string | undefined;
  readonly geoipDb: string | undefined;
  readonly retentionMonths: number;
  readonly bodyLimitBytes: number;
  readonly userEventsPerHour: number;
  /** Id blocks one statement reserves ahead for ingestion, and how old one may be when used (analytics/id-blocks.ts). */
  readonly idPrefetch: number;
  readonly idPrefetchMaxAgeMs: number;
}

export function analyticsConfig(e: AnalyticsEnv): AnalyticsConfig {
  return {
    key: e.ANALYTICS_KEY, geoipDb: e.GEOIP_DB ? path.resolve(e.GEOIP_DB) : undefined, retentionMonths: e.ANALYTICS_RETENTION_MONTHS,
    bodyLimitBytes: e.ANALYTICS_BODY_LIMIT_BYTES, userEventsPerHour: e.ANALYTICS_USER_EVENTS_PER_HOUR,
    idPrefetch: e.ANALYTICS_ID_PREFETCH, idPrefetchMaxAgeMs: e.ANALYTICS_ID_PREFETCH_MAX_AGE_MS,
  };
}
