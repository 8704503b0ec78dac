import { sql } from 'kysely';
import type { App } from '../../src/app.js';
import type { PeriodType } from '../../src/analytics/analytics.periods.js';
import { PLATFORM_ID } from '../../src/analytics/rollup.repository.js';
import type { AnalyticsLevel } from '../../src/platform/db/schema.js';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/** Test helpers of the analytics tests: a direct query over raw events, rollup rows to compare it with, an ingestion app. */

export const LEVEL_COLUMN: Record<AnalyticsLevel, string | null> = {
  platform: null, asset: 'asset_id', project: 'project_id', license: 'license_id', brand: 'brand_id', creator: 'creator_id',
};

export interface Figures {
  dimension_id: string;
  events: number;
  views: number;
  clicks: number;
  conversions: number;
  other_events: number;
  revenue_cents: number;
  unique_visitors: number;
  engagement_time: number;
}

/**
 * What a person would write against the raw events, independently of the rollup code: CASE sums
 * and the visitor rule of JOBS.md spelled out (session, else user), not the stored visitor_id.
 */
export async function directFigures(app: App, level: AnalyticsLevel, from: Date, to: Date): Promise<Figures[]> {
  const column = LEVEL_COLUMN[level];
  const dim = column ? sql.ref(column) : sql`${PLATFORM_ID}::uuid`;
  const result = await sql<Figures>`
    SELECT ${dim}::text AS dimension_id, count(*)::int AS events,
      sum(CASE WHEN event_type = 'asset_viewed' THEN 1 ELSE 0 END)::int AS views,
      sum(CASE WHEN event_type = 'asset_downloaded' OR event_type = 'license_clicked' THEN 1 ELSE 0 END)::int AS clicks,
      sum(CASE WHEN event_type = 'license_created' THEN 1 ELSE 0 END)::int AS conversions,
      sum(CASE WHEN event_type IN ('asset_viewed', 'asset_downloaded', 'license_clicked', 'license_created', 'post_viewed', 'project_viewed') THEN 0 ELSE 1 END)::int AS other_events,
      coalesce(sum((props->>'revenueCents')::bigint), 0)::bigint AS revenue_cents,
      count(DISTINCT CASE WHEN session_id IS NOT NULL THEN 'session ' || session_id WHEN user_id IS NOT NULL THEN 'user ' || user_id::text END)::int AS unique_visitors,
      coalesce(sum((props->>'engagementTime')::bigint), 0)::bigint AS engagement_time
    FROM analytics_events WHERE occurred_at >= ${from} AND occurred_at < ${to} ${column ? sql`AND ${dim} IS NOT NULL` : sql``}
    GROUP BY 1 ORDER BY 1`.execute(app.database.db);
  return result.rows;
}

export async function rollupFigures(app: App, type: PeriodType, level: AnalyticsLevel, start: Date): Promise<Figures[]> {
  const result = await sql<Figures>`
    SELECT dimension_id::text AS dimension_id, events::int, views::int, clicks::int, conversions::int, other_events::int, revenue_cents,
      unique_visitors::int, engagement_time
    FROM analytics_rollups WHERE period_type = ${type} AND level = ${level} AND period_start = ${start} ORDER BY 1`.execute(app.database.db);
  return result.rows;
}

export async function logRows(app: App, type: PeriodType, start: Date) {
  return app.database.db.selectFrom('metrics_aggregation_jobs_log').selectAll()
    .where('job_type', '=', type).where('period_start_date', '=', start).orderBy('started_at').orderBy('created_at').execute();
}

export async function resetAnalytics(app: App): Promise<void> {
  await sql`TRUNCATE analytics_events, analytics_event_keys, analytics_rollups, analytics_rollup_periods, metrics_aggregation_jobs_log`.execute(app.database.db);
}

/**
 * The app (with `env` over the test defaults) and admin session of a file of ingestion tests, created
 * before its tests and closed after them; `post` sends a batch of events as that admin.
 */
export function ingestionApp(env: Record<string, string> = {}) {
  let t: TestApp | undefined;
  let admin: Session | undefined;
  beforeAll(async () => {
    t = await createTestApp(env);
    admin = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
  });
  const app = {
    get t(): TestApp { return t!; },
    get admin(): Session { return admin!; },
    db: () => app.t.app.database.db,
    post: (events: unknown[], headers: Record<string, string> = {}) => app.t.call('POST', '/api/analytics/events', { as: app.admin, body: { events }, headers }),
  };
  return app;
}
