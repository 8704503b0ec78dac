-- herald:expand
-- Job metrics over time (issue 19): per-queue buckets by minute, hour and day, rolled up from
-- job_history by JobMetricsRollup (src/job-console/metrics.*). Each bucket is computed from the raw
-- history rows of its own interval at each level, so its percentiles are exact (percentile_cont),
-- never merged from smaller buckets. A re-roll replaces a bucket's values (upsert), never adds to
-- them. queue 'all' holds every queue together (computed from the same rows, not summed).
-- Expand-only: older code never reads either table.

CREATE TABLE job_metrics (
  queue        text NOT NULL,
  granularity  text NOT NULL CHECK (granularity IN ('minute', 'hour', 'day')),
  bucket_start timestamptz NOT NULL,
  completed    integer NOT NULL,
  failed       integer NOT NULL,
  -- Milliseconds (percentile_cont over wait_ms / run_ms of the bucket's completed and failed
  -- rows); null when no row of the bucket has the value.
  wait_p50     double precision,
  wait_p95     double precision,
  wait_p99     double precision,
  run_p50      double precision,
  run_p95      double precision,
  run_p99      double precision,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, granularity, bucket_start)
);

-- Retention deletes by level and age across queues.
CREATE INDEX job_metrics_purge_idx ON job_metrics (granularity, bucket_start);

-- How far each level has been rolled up (the end of the last bucket computed): a run starts from
-- here (less the re-roll window), so runs missed while no worker ran are caught up.
CREATE TABLE job_metrics_rollups (
  granularity text PRIMARY KEY CHECK (granularity IN ('minute', 'hour', 'day')),
  rolled_to   timestamptz NOT NULL,
  rolled_at   timestamptz NOT NULL DEFAULT now()
);
