-- Analytics (JOBS.md §3): raw events partitioned by month, the idempotency keys of ingestion,
-- the rollups the read API serves, and the state of each rolled-up period.

-- Raw events. Partitions (analytics_events_pYYYYMM) are created ahead by the service and dropped
-- by the retention setting; there is deliberately no DEFAULT partition, so a partition for a month
-- can always be created (and dropped) without scanning rows that landed elsewhere.
CREATE TABLE analytics_events (
  id              bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at     timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  -- As sent; the rollups count known types by name and everything else as "other".
  event_type      text NOT NULL,
  -- The authenticated user who sent it (null for ANALYTICS_KEY producers).
  user_id         uuid,
  session_id      text,
  -- JOBS.md: a visitor is the session when there is one, else the user ('s:…' / 'u:…', so that a
  -- session id can never be mistaken for a user id). Computed once at ingestion.
  visitor_id      text,
  asset_id        uuid,
  project_id      uuid,
  license_id      uuid,
  post_id         uuid,
  brand_id        uuid,
  creator_id      uuid,
  props           jsonb,
  -- props.revenueCents and props.engagementTime, extracted at ingestion so that rollups add up
  -- integers instead of parsing jsonb for every row.
  revenue_cents   bigint NOT NULL DEFAULT 0,
  engagement_time bigint NOT NULL DEFAULT 0,
  idempotency_key text,
  -- Kept for enrichment (analytics-enrichment fills the four columns after them).
  user_agent      text,
  ip              inet,
  device_type     text,
  browser         text,
  os              text,
  country         text,
  enriched_at     timestamptz,
  -- A unique key of a partitioned table must contain the partition key; (id, occurred_at) also
  -- serves the enrichment job, which finds one request's events by id range.
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
-- Every rollup reads one period: a range of this index (in the partitions the period touches).
CREATE INDEX analytics_events_occurred_idx ON analytics_events (occurred_at);

-- Idempotency keys of ingestion, in their own table because a unique index on the events would
-- have to include occurred_at: the same key sent twice with different times must still count once.
-- Scoped by producer ('<user id>:<key>' or 'key:<key>'), so one user cannot suppress another's
-- events by reusing their keys. Rows older than the retention horizon are deleted with it.
CREATE TABLE analytics_event_keys (
  key        text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analytics_event_keys_created_idx ON analytics_event_keys (created_at);

-- Rollups: one table for every level and period type, since every level has the same metric
-- columns and the read API the same query shape. The primary key order (period type, level,
-- dimension, start) makes a series a single index range; the second index serves "top N of a
-- level over a range". The platform level uses the nil uuid as its dimension.
CREATE TABLE analytics_rollups (
  period_type     text NOT NULL CHECK (period_type IN ('hourly', 'daily', 'weekly', 'monthly')),
  level           text NOT NULL CHECK (level IN ('platform', 'asset', 'project', 'license', 'brand', 'creator')),
  dimension_id    uuid NOT NULL,
  period_start    timestamptz NOT NULL,
  events          bigint NOT NULL,
  views           bigint NOT NULL,
  clicks          bigint NOT NULL,
  conversions     bigint NOT NULL,
  other_events    bigint NOT NULL,
  revenue_cents   bigint NOT NULL,
  -- Distinct visitors over the whole period (never a sum of smaller periods).
  unique_visitors bigint NOT NULL,
  engagement_time bigint NOT NULL,
  computed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (period_type, level, dimension_id, period_start)
);
CREATE INDEX analytics_rollups_level_period_idx ON analytics_rollups (period_type, level, period_start);

-- One row per period ever rolled up. started_at is committed before a run reads any event, so
-- ingestion can tell a late event (its period already ran) and flag a re-run; the flag
-- (rerun_requested_at) makes a burst of late events enqueue one re-run per period.
-- completed_at: the last run that completed every level (the read API trusts those periods).
CREATE TABLE analytics_rollup_periods (
  period_type        text NOT NULL CHECK (period_type IN ('hourly', 'daily', 'weekly', 'monthly')),
  period_start       timestamptz NOT NULL,
  period_end         timestamptz NOT NULL,
  started_at         timestamptz NOT NULL,
  completed_at       timestamptz,
  rerun_requested_at timestamptz,
  PRIMARY KEY (period_type, period_start)
);

-- The admin log is filtered by period (API.md startDate/endDate).
CREATE INDEX metrics_aggregation_jobs_log_period_idx ON metrics_aggregation_jobs_log (period_start_date);
