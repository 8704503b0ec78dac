import type pg from 'pg';

/**
 * Data of bench:admin's `metrics` part, set-based: stored metric buckets for the range queries, and
 * raw job history for the rollup's cost.
 */

const BUCKET_SQL = { minute: '1 minute', hour: '1 hour', day: '1 day' } as const;

/**
 * `count` buckets of `granularity` ending at `end` (exclusive) for every queue and 'all', with
 * plausible values (a few thousand jobs an hour, percentiles growing p50 < p95 < p99). Returns rows.
 */
export async function fillMetricBuckets(client: pg.Client, queues: readonly string[], granularity: keyof typeof BUCKET_SQL, count: number, end: Date): Promise<number> {
  const { rowCount } = await client.query(`
    INSERT INTO job_metrics (queue, granularity, bucket_start, completed, failed, wait_p50, wait_p95, wait_p99, run_p50, run_p95, run_p99)
    SELECT q, $2, $3::timestamptz - (g * $4::interval), c, f, w, w * 4, w * 9, r, r * 5, r * 12
    FROM (SELECT q, g, (random() * 5000)::int AS c, (random() * 50)::int AS f, 5 + random() * 200 AS w, 20 + random() * 900 AS r
          FROM unnest($1::text[]) q, generate_series(1, $5::int) g) v
    ON CONFLICT DO NOTHING`, [[...queues, 'all'], granularity, end, BUCKET_SQL[granularity], count]);
  return rowCount ?? 0;
}

/**
 * `perHour` history rows an hour over [from, to) spread across `queues` (a few percent failed;
 * run times skewed: most short, a long tail), each UTC day's partition made first. Returns seconds.
 */
export async function fillRawHistory(client: pg.Client, queues: readonly string[], from: Date, to: Date, perHour: number): Promise<number> {
  const started = performance.now();
  for (let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); day < to.getTime(); day += 86_400_000) {
    await client.query('SELECT job_history_ensure_partition($1::date)', [new Date(day).toISOString().slice(0, 10)]);
  }
  const hours = Math.ceil((to.getTime() - from.getTime()) / 3_600_000);
  for (let h = 0; h < hours; h++) {
    const start = new Date(from.getTime() + h * 3_600_000);
    await client.query(`
      INSERT INTO job_history (queue, job_id, name, state, data, attempts, created_at, processed_at, finished_at, wait_ms, run_ms, search_text)
      SELECT q, 'bench-' || g, 'BenchJob', CASE WHEN random() < 0.04 THEN 'failed' ELSE 'completed' END, NULL, 1,
        fin - make_interval(secs => (w + r) / 1000.0), fin - make_interval(secs => r / 1000.0), fin, w, r, 'bench-' || g
      FROM (SELECT g, ($1::text[])[1 + (g % array_length($1::text[], 1))] AS q, $3::timestamptz + random() * interval '1 hour' AS fin,
          (random() * random() * 2000)::int AS w, (random() * random() * random() * 30000)::int AS r
        FROM generate_series(1, $2::int) g) v`, [queues, perHour, start]);
  }
  await client.query('ANALYZE job_history');
  return (performance.now() - started) / 1000;
}
