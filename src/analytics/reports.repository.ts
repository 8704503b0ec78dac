import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { AnalyticsLevel } from '../platform/db/schema.js';
import type { PeriodType, Tile } from './analytics.periods.js';

/** A rollup row as the read API uses it (bigints arrive as numbers). */
export interface RollupRow {
  period_type: PeriodType;
  period_start: Date;
  views: number;
  clicks: number;
  conversions: number;
  revenue_cents: number;
  unique_visitors: number;
  engagement_time: number;
  other_events: number;
}

export interface TopRow extends Omit<RollupRow, 'period_type' | 'period_start'> {
  dimension_id: string;
}

const METRICS = sql`views, clicks, conversions, revenue_cents, unique_visitors, engagement_time, other_events`;

/**
 * The rows of the tiles, as one condition per period type: each is an index range (primary key
 * for one dimension, the (period_type, level, period_start) index for a whole level).
 */
function tilesCondition(tiles: readonly Tile[]): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  for (const type of ['monthly', 'weekly', 'daily'] as const) {
    const starts = tiles.filter((t) => t.kind === 'period' && t.type === type).map((t) => t.start.toISOString());
    if (starts.length) parts.push(sql`(period_type = ${type} AND period_start = ANY(${starts}::timestamptz[]))`);
  }
  for (const t of tiles) {
    if (t.kind === 'hours') parts.push(sql`(period_type = 'hourly' AND period_start >= ${t.start} AND period_start < ${t.end})`);
  }
  return parts.length ? sql`(${sql.join(parts, sql` OR `)})` : sql`false`;
}

/**
 * The read side of rollups: the read API never touches raw events. Every read is on readDb (the
 * replica when configured): rollups change once a run completes, a few seconds of lag are invisible.
 */
export class ReportsRepository extends Repository {
  /** Periods whose last run completed every level, of the given types, starting in [from, to). */
  async completedPeriods(types: readonly PeriodType[], from: Date, to: Date): Promise<Array<{ period_type: PeriodType; period_start: Date }>> {
    const result = await sql<{ period_type: PeriodType; period_start: Date }>`
      SELECT period_type, period_start FROM analytics_rollup_periods
      WHERE period_type = ANY(${types}::text[]) AND period_start >= ${from} AND period_start < ${to} AND completed_at IS NOT NULL`.execute(this.readDb);
    return result.rows;
  }

  /** One dimension's rows for the tiles. */
  async rows(level: AnalyticsLevel, dimensionId: string, tiles: readonly Tile[]): Promise<RollupRow[]> {
    const result = await sql<RollupRow>`
      SELECT period_type, period_start, ${METRICS} FROM analytics_rollups
      WHERE level = ${level} AND dimension_id = ${dimensionId}::uuid AND ${tilesCondition(tiles)}`.execute(this.readDb);
    return result.rows;
  }

  /** The most viewed dimensions of a level over the tiles (sums of their rows). */
  async top(level: AnalyticsLevel, tiles: readonly Tile[], limit: number): Promise<TopRow[]> {
    const result = await sql<TopRow>`
      SELECT dimension_id, sum(views)::bigint AS views, sum(clicks)::bigint AS clicks, sum(conversions)::bigint AS conversions,
        sum(revenue_cents)::bigint AS revenue_cents, sum(unique_visitors)::bigint AS unique_visitors,
        sum(engagement_time)::bigint AS engagement_time, sum(other_events)::bigint AS other_events
      FROM analytics_rollups WHERE level = ${level} AND ${tilesCondition(tiles)}
      GROUP BY dimension_id ORDER BY sum(views) DESC, sum(clicks) DESC, dimension_id LIMIT ${limit}`.execute(this.readDb);
    return result.rows;
  }

  /** Whether any rollup mentions this dimension (a brand or creator with figures exists). */
  async exists(level: AnalyticsLevel, dimensionId: string): Promise<boolean> {
    const result = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM analytics_rollups WHERE period_type IN ('hourly', 'daily', 'weekly', 'monthly')
        AND level = ${level} AND dimension_id = ${dimensionId}::uuid) AS found`.execute(this.readDb);
    return result.rows[0]?.found === true;
  }
}
