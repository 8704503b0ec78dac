-- Digests and SSE replay follow commit order (issue 16, points 7 and 8).
--
-- created_at is the start of the inserting transaction, not its commit: a watermark on it passes
-- rows that commit later. Each notification now carries the id of the transaction that inserted it
-- (xid8, never wraps), and readers only ever advance a cursor to a horizon below which every
-- transaction has finished (herald_xid_horizon()): a row that is not yet visible always has an xid
-- at or above the horizon, so a cursor can never pass it.

-- Existing rows get 0, "finished long ago" (a constant default: no table rewrite); new rows the
-- inserting transaction's id.
ALTER TABLE notifications ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE notifications ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX notifications_user_xid_idx ON notifications (user_id, xid);

-- Everything of this user with xid below the cursor is in some digest (or was not due one).
-- NULL: no digest yet; the first one starts at last_digest_sent_at or one period back.
ALTER TABLE notification_preferences ADD COLUMN digest_cursor xid8;

-- What each digest email is made of, fixed when its period is first claimed: a retry or a re-run of
-- the same period sends the same notifications (or finds the email sent) and never moves the cursor.
CREATE TABLE digest_contents (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  period_key text NOT NULL,
  frequency  digest_frequency NOT NULL,
  -- [from_xid, to_xid); with from_xid NULL (first digest) the lower bound is created_at > from_time.
  from_xid   xid8,
  from_time  timestamptz,
  to_xid     xid8 NOT NULL,
  run_at     timestamptz NOT NULL,
  -- The job that fixed it: another job (a second run of the same instant) finding the email claimed
  -- leaves it to this one, whose retries and stalled re-runs finish it, instead of waiting a lease.
  owner_job  text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, period_key)
);

-- The lowest transaction id that may still commit rows in this database: the oldest running
-- transaction of this database, or the next id to be assigned. Transactions running in other
-- databases of the cluster are left out (they cannot write here), so a long one elsewhere does not
-- hold digests back; a transaction whose database cannot be told counts. pg_stat_activity is cached
-- per transaction, hence the clear. Call it in a statement of its own, then read in later
-- statements: a transaction below the horizon that was still running when the snapshot was taken
-- has finished by then.
CREATE FUNCTION herald_xid_horizon() RETURNS xid8 LANGUAGE sql VOLATILE AS $$
  SELECT pg_stat_clear_snapshot();
  SELECT coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x
  WHERE x IS DISTINCT FROM pg_current_xact_id_if_assigned()
    AND NOT EXISTS (
      SELECT 1 FROM pg_stat_activity a
      WHERE a.backend_xid IS NOT NULL AND a.datname IS NOT NULL AND a.datname <> current_database()
        AND a.backend_xid::text::numeric = x::text::numeric % 4294967296);
$$;
