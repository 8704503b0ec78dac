-- Notification digests: per-user time zones, the run log, and one row per user and run.

-- IANA zone; NULL means UTC (digests at 09:00 UTC, as the contract says).
ALTER TABLE notification_preferences ADD COLUMN timezone text;
-- A digest run pages through the users of one frequency with email on.
CREATE INDEX notification_preferences_digest_idx ON notification_preferences (digest_frequency, user_id) WHERE email_enabled;

CREATE TABLE digest_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  frequency     digest_frequency NOT NULL CHECK (frequency IN ('DAILY', 'WEEKLY')),
  -- The instant the run acts as of (09:00 UTC for a scheduled run; `at` for a manual one).
  run_at        timestamptz NOT NULL,
  -- utc: users without a time zone; zoned: users whose local time is 09:00 at run_at; all: manual.
  scope         text NOT NULL CHECK (scope IN ('utc', 'zoned', 'all')),
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  users_scanned integer NOT NULL DEFAULT 0,
  error         text,
  started_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz
);
CREATE INDEX digest_runs_frequency_idx ON digest_runs (frequency, started_at DESC);

-- What each user's digest job of a run did; written idempotently, so retries never double-count.
CREATE TABLE digest_deliveries (
  run_id     uuid NOT NULL REFERENCES digest_runs (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL,
  outcome    text NOT NULL CHECK (outcome IN ('sent', 'captured', 'already-sent', 'empty', 'skipped', 'failed')),
  items      integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, user_id)
);
