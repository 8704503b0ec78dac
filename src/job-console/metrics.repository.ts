import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import { ALL_QUEUES, type BucketRow, type Granularity } from './metrics.rules.js';

/** Every statement of the job metrics: the rollup from job_history, its watermark, retention and the reads. */
export class MetricsRepository extends Repository {
  /**
   * Serializes the runs of one level (platform/db/lock-holder.ts: in the holder's transaction, so
   * it holds behind PgBouncer too). A run that waits its turn then reads history with a fresh
   * snapshot, so an older snapshot's values can never land after a newer one's. False when another
   * run holds it.
   */
  async tryLockLevel(g: Granularity): Promise<boolean> {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtextextended(${sql.lit(`job-metrics:${g}`)}, 0)) AS locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  /** The end of the last bucket rolled up at this level, or null before the first run. */
  async rolledTo(g: Granularity): Promise<Date | null> {
    const row = await this.db.selectFrom('job_metrics_rollups').select('rolled_to').where('granularity', '=', g).executeTakeFirst();
    return row?.rolled_to ?? null;
  }

  /** Moves the watermark forward (never back: a run that computed less leaves it where it was). */
  async advance(g: Granularity, to: Date): Promise<void> {
    await sql`
      INSERT INTO job_metrics_rollups (granularity, rolled_to) VALUES (${g}, ${to})
      ON CONFLICT (granularity) DO UPDATE SET rolled_to = greatest(job_metrics_rollups.rolled_to, EXCLUDED.rolled_to), rolled_at = now()`.execute(this.db);
  }

  /**
   * Computes every bucket of [from, to) at level `g` from the raw history rows finished in it, per
   * queue and for all queues together (one scan: GROUPING SETS), and writes them: an upsert of the
   * recomputed values, never an increment, so a re-run, a late re-roll or two runs at once leave
   * the same rows. Percentiles are percentile_cont over the bucket's own rows (completed and
   * failed; rows without the value are ignored): exact at every level, never merged from smaller
   * buckets. Rows whose values did not change are not rewritten. Buckets without rows are not
   * stored (they read as zero). Returns the history rows read and the buckets written.
   */
  async rollUp(g: Granularity, from: Date, to: Date): Promise<{ scanned: number; written: number }> {
    const { rows } = await sql<{ scanned: string; written: number }>`
      WITH agg AS (
        SELECT grouping(queue) = 1 AS total, CASE WHEN grouping(queue) = 1 THEN ${ALL_QUEUES} ELSE queue END AS queue, b AS bucket_start,
          count(*) FILTER (WHERE state = 'completed')::int AS completed,
          count(*) FILTER (WHERE state = 'failed')::int AS failed,
          percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY wait_ms) AS w,
          percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY run_ms) AS r
        FROM (
          SELECT queue, state, wait_ms, run_ms, date_trunc(${g}, finished_at, 'UTC') AS b
          FROM job_history WHERE finished_at >= ${from} AND finished_at < ${to}) h
        GROUP BY GROUPING SETS ((queue, b), (b))),
      up AS (
        INSERT INTO job_metrics AS m (queue, granularity, bucket_start, completed, failed, wait_p50, wait_p95, wait_p99, run_p50, run_p95, run_p99)
        SELECT queue, ${g}, bucket_start, completed, failed, w[1], w[2], w[3], r[1], r[2], r[3] FROM agg
        ON CONFLICT (queue, granularity, bucket_start) DO UPDATE SET
          completed = EXCLUDED.completed, failed = EXCLUDED.failed,
          wait_p50 = EXCLUDED.wait_p50, wait_p95 = EXCLUDED.wait_p95, wait_p99 = EXCLUDED.wait_p99,
          run_p50 = EXCLUDED.run_p50, run_p95 = EXCLUDED.run_p95, run_p99 = EXCLUDED.run_p99, computed_at = now()
        WHERE (m.completed, m.failed, m.wait_p50, m.wait_p95, m.wait_p99, m.run_p50, m.run_p95, m.run_p99)
          IS DISTINCT FROM (EXCLUDED.completed, EXCLUDED.failed, EXCLUDED.wait_p50, EXCLUDED.wait_p95, EXCLUDED.wait_p99, EXCLUDED.run_p50, EXCLUDED.run_p95, EXCLUDED.run_p99)
        RETURNING 1)
      SELECT (SELECT coalesce(sum(completed + failed), 0) FROM agg WHERE total) AS scanned, (SELECT count(*) FROM up)::int AS written`.execute(this.db);
    return { scanned: Number(rows[0]!.scanned), written: rows[0]!.written };
  }

  /** Deletes the level's buckets (every queue's) that start before `before`; how many. */
  async purge(g: Granularity, before: Date): Promise<number> {
    const result = await this.db.deleteFrom('job_metrics').where('granularity', '=', g).where('bucket_start', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * The stored buckets of one queue (or 'all') in [from, to), oldest first, as one JSON array of
   * tuples built by PostgreSQL (a 90-day hourly read is 2,160 rows: one JSON.parse costs a third of
   * the driver's parsing field by field; date_part's float8 epoch is cheaper to build than
   * extract's numeric one). Lag-tolerant: on readDb.
   */
  async read(queue: string, g: Granularity, from: Date, to: Date): Promise<BucketRow[]> {
    const { rows } = await sql<{ buckets: BucketRow[] }>`
      SELECT coalesce(json_agg(json_build_array(date_part('epoch', bucket_start) * 1000, completed, failed,
          wait_p50, wait_p95, wait_p99, run_p50, run_p95, run_p99) ORDER BY bucket_start), '[]') AS buckets
      FROM job_metrics WHERE queue = ${queue} AND granularity = ${g} AND bucket_start >= ${from} AND bucket_start < ${to}`.execute(this.readDb);
    return rows[0]!.buckets;
  }
}
