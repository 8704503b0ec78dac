-- herald:expand
-- One row per outcome: a history write whose commit PostgreSQL made but whose answer the worker
-- never got (a connection cut at that instant) is retried by the writer; with this key the retry
-- writes nothing twice (ON CONFLICT DO NOTHING), so searches and metrics never count an outcome
-- twice. It includes finished_at (a partitioned table's unique key must hold the partition key)
-- and replaces the plain job_id index, whose lookups it serves as well: one index, not two, on the
-- writer's path.
CREATE UNIQUE INDEX job_history_outcome_key ON job_history (job_id, queue, finished_at);
DROP INDEX job_history_job_id_idx;
