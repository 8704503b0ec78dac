import { sql, type RawBuilder } from 'kysely';
import type { AnalyticsLevel } from '../platform/db/schema.js';
import { Repository } from '../platform/db/repository.js';
import type { PeriodType } from './analytics.periods.js';
import { KNOWN_EVENT_TYPES } from './analytics.schemas.js';
import { DAY_LOCK_NS } from './events.repository.js';

export const LEVELS: readonly AnalyticsLevel[] = ['platform', 'asset', 'project', 'license', 'brand', 'creator'];
export const PLATFORM_ID = '00000000-0000-0000-0000-000000000000';
const PERIOD_LOCK_NS = 4_242_103;

/** The dimension of each level: a constant for the platform, an event column otherwise. */
const DIMENSION: Readonly<Record<AnalyticsLevel, RawBuilder<unknown>>> = {
  platform: sql`${PLATFORM_ID}::uuid`,
  asset: sql.ref('asset_id'),
  project: sql.ref('project_id'),
  license: sql.ref('license_id'),
  brand: sql.ref('brand_id'),
  creator: sql.ref('creator_id'),
};

export interface LevelOutcome {
  /** Raw events of the period that carry this level's dimension. */
  scanned: number;
  created: number;
  updated: number;
  deleted: number;
}

/** The write side of rollups: the period state, one set-based statement per level (the run log: run-log.repository.ts). */
export class RollupRepository extends Repository {
  /**
   * Serializes runs of one period (a late re-run waits for the run in progress, or the older
   * snapshot could be written last). In the run's holder transaction (platform/db/lock-holder.ts):
   * transaction-scoped, so it holds behind PgBouncer too. False when another run holds it.
   */
  async tryLockPeriod(key: string): Promise<boolean> {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${sql.lit(PERIOD_LOCK_NS)}, hashtext(${sql.lit(key)})) AS locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  /**
   * Marks the period started and clears its re-run flag, committed before any event is read: the
   * exclusive day locks wait for ingestion transactions in flight on those days, and every later
   * one sees this row (and flags a re-run for its late events). One statement, so one round trip:
   * the row is written only once the lock subquery has taken every lock.
   */
  async markStarted(p: { type: PeriodType; start: Date; end: Date; days: readonly number[] }): Promise<void> {
    await sql`
      INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at)
      SELECT ${p.type}, ${p.start}, ${p.end}, now() FROM (SELECT count(pg_advisory_xact_lock(${DAY_LOCK_NS}, d)) FROM unnest(${p.days}::int[]) d) locks
      ON CONFLICT (period_type, period_start) DO UPDATE SET started_at = now(), rerun_requested_at = NULL`.execute(this.db);
  }

  /** Periods that late events flagged for a re-run, in dependency order (hours first), at most `limit`. */
  async flaggedPeriods(limit: number): Promise<Array<{ type: PeriodType; start: Date }>> {
    const result = await sql<{ period_type: PeriodType; period_start: Date }>`
      SELECT period_type, period_start FROM analytics_rollup_periods WHERE rerun_requested_at IS NOT NULL
      ORDER BY array_position(ARRAY['hourly', 'daily', 'weekly', 'monthly'], period_type::text), period_start LIMIT ${limit}`.execute(this.db);
    return result.rows.map((r) => ({ type: r.period_type, start: r.period_start }));
  }

  /** Flags a period again (its late re-run failed: the next pass retries it). */
  async reflag(type: PeriodType, start: Date): Promise<void> {
    await this.db.updateTable('analytics_rollup_periods').set({ rerun_requested_at: sql<Date>`now()` })
      .where('period_type', '=', type).where('period_start', '=', start).where('rerun_requested_at', 'is', null).execute();
  }

  /** Records that every level completed (the caller's holder then releases the period). */
  async markCompleted(type: PeriodType, start: Date): Promise<void> {
    await this.db.updateTable('analytics_rollup_periods').set({ completed_at: sql<Date>`now()` })
      .where('period_type', '=', type).where('period_start', '=', start).execute();
  }

  /**
   * One level of one period in one statement: aggregate the period's raw events by the level's
   * dimension, compare with the rows already there (a hash full join, so a re-run costs one pass,
   * never a row-by-row anti-join), then insert new rows, update changed ones and delete rows of
   * dimensions without events any more. A re-run over unchanged events writes nothing. Plain
   * INSERT rather than ON CONFLICT (which costs a speculative insertion per row) is safe because
   * the caller holds the period lock: no other run writes this period's rows meanwhile. Unique visitors are a
   * COUNT(DISTINCT) over the whole period's events, never a sum of smaller periods; the other
   * metrics come from the same scan, so every level of every period type equals a direct query.
   */
  async aggregateLevel(p: { type: PeriodType; level: AnalyticsLevel; start: Date; end: Date }): Promise<LevelOutcome> {
    const dim = DIMENSION[p.level];
    const known = [...KNOWN_EVENT_TYPES];
    const result = await sql<LevelOutcome>`
      WITH agg AS (
        SELECT ${dim} AS dimension_id, count(*) AS events,
          count(*) FILTER (WHERE event_type = 'asset_viewed') AS views,
          count(*) FILTER (WHERE event_type IN ('asset_downloaded', 'license_clicked')) AS clicks,
          count(*) FILTER (WHERE event_type = 'license_created') AS conversions,
          count(*) FILTER (WHERE event_type <> ALL (${known}::text[])) AS other_events,
          coalesce(sum(revenue_cents), 0) AS revenue_cents,
          count(DISTINCT visitor_id) AS unique_visitors,
          coalesce(sum(engagement_time), 0) AS engagement_time
        FROM analytics_events
        WHERE occurred_at >= ${p.start} AND occurred_at < ${p.end} ${p.level === 'platform' ? sql`` : sql`AND ${dim} IS NOT NULL`}
        GROUP BY 1),
      cur AS (
        SELECT dimension_id, events, views, clicks, conversions, other_events, revenue_cents, unique_visitors, engagement_time
        FROM analytics_rollups WHERE period_type = ${p.type} AND level = ${p.level} AND period_start = ${p.start}),
      diff AS (
        SELECT coalesce(a.dimension_id, c.dimension_id) AS dimension_id, a.dimension_id IS NULL AS gone, c.dimension_id IS NULL AS fresh,
          a.events, a.views, a.clicks, a.conversions, a.other_events, a.revenue_cents, a.unique_visitors, a.engagement_time
        FROM agg a FULL JOIN cur c ON c.dimension_id = a.dimension_id
        WHERE a.dimension_id IS NULL OR c.dimension_id IS NULL
          OR (a.events, a.views, a.clicks, a.conversions, a.other_events, a.revenue_cents, a.unique_visitors, a.engagement_time)
             IS DISTINCT FROM (c.events, c.views, c.clicks, c.conversions, c.other_events, c.revenue_cents, c.unique_visitors, c.engagement_time)),
      ins AS (
        INSERT INTO analytics_rollups (period_type, level, dimension_id, period_start, events, views, clicks, conversions, other_events,
          revenue_cents, unique_visitors, engagement_time)
        SELECT ${p.type}, ${p.level}, dimension_id, ${p.start}, events, views, clicks, conversions, other_events, revenue_cents, unique_visitors, engagement_time
        FROM diff WHERE fresh
        RETURNING 1),
      upd AS (
        UPDATE analytics_rollups r SET events = d.events, views = d.views, clicks = d.clicks, conversions = d.conversions,
          other_events = d.other_events, revenue_cents = d.revenue_cents, unique_visitors = d.unique_visitors,
          engagement_time = d.engagement_time, computed_at = now()
        FROM diff d
        WHERE NOT d.fresh AND NOT d.gone AND r.period_type = ${p.type} AND r.level = ${p.level} AND r.period_start = ${p.start} AND r.dimension_id = d.dimension_id
        RETURNING 1),
      gone AS (
        DELETE FROM analytics_rollups r USING diff d
        WHERE d.gone AND r.period_type = ${p.type} AND r.level = ${p.level} AND r.period_start = ${p.start} AND r.dimension_id = d.dimension_id
        RETURNING 1)
      SELECT (SELECT coalesce(sum(events), 0) FROM agg)::bigint AS scanned,
        (SELECT count(*) FROM ins) AS created,
        (SELECT count(*) FROM upd) AS updated,
        (SELECT count(*) FROM gone) AS deleted`.execute(this.db);
    const r = result.rows[0]!;
    return { scanned: Number(r.scanned), created: Number(r.created), updated: Number(r.updated), deleted: Number(r.deleted) };
  }
}
