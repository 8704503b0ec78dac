-- herald:expand
-- The job console (issue 19): every job's terminal outcome, kept JOB_HISTORY_DAYS after BullMQ's
-- own cleanup, written by the workers in batches (platform/queue/job-history.ts). Partitioned by
-- UTC day of finished_at so retention drops whole partitions instead of deleting rows; like
-- analytics_events there is deliberately no DEFAULT partition (a day's partition can always be
-- created and dropped without scanning rows that landed elsewhere). Expand-only: older code never
-- reads it.

CREATE TABLE job_history (
  id             bigint GENERATED ALWAYS AS IDENTITY,
  queue          text NOT NULL,
  job_id         text NOT NULL,
  name           text NOT NULL,
  state          text NOT NULL CHECK (state IN ('completed', 'failed')),
  -- The job's data as it ran, cut to JOB_HISTORY_DATA_MAX_BYTES (a cut payload is stored as
  -- {"truncated": true, "bytes": n, "preview": "<first bytes>"}).
  data           jsonb,
  -- The return value's JSON, cut to 1 KiB: a summary, not an archive.
  return_summary text,
  failed_reason  text,
  -- The last attempt's stack, cut to 8 KiB.
  stacktrace     text,
  attempts       integer NOT NULL,
  -- BullMQ's job.timestamp (+ delay: when it was due), processedOn and finishedOn.
  created_at     timestamptz NOT NULL,
  processed_at   timestamptz,
  finished_at    timestamptz NOT NULL,
  -- Due to started, started to finished (null when the job never started: a stall limit).
  wait_ms        integer,
  run_ms         integer,
  -- The heartbeat id of the worker process (host-pid-random).
  worker         text,
  -- The schedule this run belongs to (a scheduler iteration, a catch-up or a manual run), else null.
  schedule_id    text,
  -- What search reads: job id, name, failure reason and data text, lowercased and cut.
  search_text    text NOT NULL,
  PRIMARY KEY (id, finished_at)
) PARTITION BY RANGE (finished_at);

CREATE INDEX job_history_finished_idx ON job_history (finished_at DESC);
CREATE INDEX job_history_queue_finished_idx ON job_history (queue, finished_at DESC);
CREATE INDEX job_history_job_id_idx ON job_history (job_id);
CREATE INDEX job_history_schedule_idx ON job_history (schedule_id, finished_at DESC) WHERE schedule_id IS NOT NULL;

-- One UTC day's partition, job_history_pYYYYMMDD; idempotent and safe when two processes race.
CREATE FUNCTION job_history_ensure_partition(day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  part text := 'job_history_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF job_history FOR VALUES FROM (%L) TO (%L)',
    part, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
EXCEPTION WHEN duplicate_table OR unique_violation THEN
  -- Another process created it between the check and the CREATE.
  NULL;
END $$;

-- No partition is made here: partitions are the service's (the writer makes a missing day's on
-- the insert that needs it; the console's maintenance keeps today and the next days ahead), so a
-- freshly migrated schema is the same whatever the date.
