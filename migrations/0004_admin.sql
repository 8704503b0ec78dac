-- Admin monitoring: who changed what in the job system, and the analytics run log of API.md.

CREATE TABLE admin_audit (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  admin_id   uuid REFERENCES users (id) ON DELETE SET NULL,
  action     text NOT NULL,
  queue      text,
  job_id     text,
  details    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_created_idx ON admin_audit (created_at DESC, id DESC);

CREATE TYPE aggregation_job_status AS ENUM ('RUNNING', 'COMPLETED', 'FAILED', 'PARTIAL');

-- One row per analytics rollup run (written by the analytics jobs, read by the admin API).
CREATE TABLE metrics_aggregation_jobs_log (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_type          text NOT NULL CHECK (job_type IN ('hourly', 'daily', 'weekly', 'monthly')),
  period_start_date timestamptz NOT NULL,
  period_end_date   timestamptz NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  completed_at      timestamptz,
  status            aggregation_job_status NOT NULL DEFAULT 'RUNNING',
  records_processed integer NOT NULL DEFAULT 0,
  records_created   integer NOT NULL DEFAULT 0,
  records_updated   integer NOT NULL DEFAULT 0,
  errors_count      integer NOT NULL DEFAULT 0,
  duration_seconds  double precision,
  memory_used_mb    double precision,
  error_message     text,
  error_stack       text,
  metadata          jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX metrics_aggregation_jobs_log_started_idx ON metrics_aggregation_jobs_log (started_at DESC, id DESC);
CREATE INDEX metrics_aggregation_jobs_log_type_idx ON metrics_aggregation_jobs_log (job_type, started_at DESC);
