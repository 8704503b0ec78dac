-- Scheduled blog publication: outbox rows that name their BullMQ job instead of "outbox-<id>",
-- run it at a given time, or remove it. The newest row of a (queue, job_id) is the intent; the
-- relay completes older ones as superseded.

-- A fixed BullMQ job id (one delayed publish job per post: the post's id).
ALTER TABLE outbox ADD COLUMN job_id text;
-- The job is delayed until then (past or null: it runs at once).
ALTER TABLE outbox ADD COLUMN delay_until timestamptz;
-- 'add' the job (replacing one of the same id), or 'remove' it.
ALTER TABLE outbox ADD COLUMN op text NOT NULL DEFAULT 'add';
-- NOT VALID: every existing row is an 'add' without job id, so there is nothing to scan for.
ALTER TABLE outbox ADD CONSTRAINT outbox_op_check CHECK (op IN ('add', 'remove') AND (op = 'add' OR job_id IS NOT NULL)) NOT VALID;
ALTER TABLE outbox ADD CONSTRAINT outbox_job_id_check CHECK (job_id IS NULL OR (job_id <> '' AND job_id NOT LIKE 'outbox-%')) NOT VALID;

-- The rows of one job id, finished or not (a newer one, even finished, supersedes an older one).
CREATE INDEX outbox_job_idx ON outbox (queue, job_id, id) WHERE job_id IS NOT NULL;

-- A SCHEDULED post always has its time (the reconciler and the health check read it). NOT VALID:
-- no post could be SCHEDULED before this migration (the API refused the status).
ALTER TABLE blog_posts ADD CONSTRAINT blog_posts_scheduled_check CHECK (status <> 'SCHEDULED' OR publish_at IS NOT NULL) NOT VALID;
