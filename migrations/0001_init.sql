-- Foundation: settings, users and sessions, the notification inbox, preferences, admin batches,
-- and the transactional outbox that turns committed work into BullMQ jobs.

CREATE TABLE app_settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE user_role AS ENUM ('ADMIN', 'CREATOR', 'BRAND', 'VIEWER');

CREATE TABLE users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email               text NOT NULL CHECK (email = lower(email)),
  name                text,
  role                user_role NOT NULL,
  password_hash       text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
-- Fan-out to a role pages through users by id.
CREATE INDEX users_role_id_idx ON users (role, id);

CREATE TABLE sessions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  ip          text,
  user_agent  text
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TYPE notification_type AS ENUM
  ('LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG');
-- Declaration order is sort order: ORDER BY priority DESC gives URGENT first, straight off the index.
CREATE TYPE notification_priority AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'URGENT');

CREATE TABLE notification_batches (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text,
  request_hash    text NOT NULL,
  target_kind     text NOT NULL CHECK (target_kind IN ('users', 'role', 'all')),
  target_role     user_role,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed')),
  cursor          uuid,
  created_count   integer NOT NULL DEFAULT 0,
  skipped_count   integer NOT NULL DEFAULT 0,
  created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz
);
CREATE UNIQUE INDEX notification_batches_idempotency_key ON notification_batches (idempotency_key);

CREATE TABLE notifications (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type       notification_type NOT NULL,
  title      text NOT NULL,
  message    text NOT NULL,
  action_url text,
  priority   notification_priority NOT NULL DEFAULT 'MEDIUM',
  read       boolean NOT NULL DEFAULT false,
  read_at    timestamptz,
  metadata   jsonb,
  -- Set by administrators only; never shown to users.
  critical   boolean NOT NULL DEFAULT false,
  batch_id   uuid REFERENCES notification_batches (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The inbox order (unread, priority, newest, id) is this index's order: a page is a short range
-- scan and the unread count an index-only scan of (user_id, false).
CREATE INDEX notifications_inbox_idx ON notifications (user_id, read, priority DESC, created_at DESC, id DESC);
CREATE INDEX notifications_batch_idx ON notifications (batch_id) WHERE batch_id IS NOT NULL;

CREATE TYPE digest_frequency AS ENUM ('IMMEDIATE', 'DAILY', 'WEEKLY', 'NEVER');

CREATE TABLE notification_preferences (
  user_id             uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  -- text[] rather than notification_type[]: node-postgres parses arrays of built-in types only.
  enabled_types       text[] NOT NULL CHECK (enabled_types <@ ARRAY['LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG']),
  digest_frequency    digest_frequency NOT NULL DEFAULT 'IMMEDIATE',
  email_enabled       boolean NOT NULL DEFAULT true,
  last_digest_sent_at timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Work accepted by PostgreSQL, waiting to become a BullMQ job. Written in the same transaction as
-- the change that caused it; the relay moves it to Redis with job id "outbox-<id>".
CREATE TABLE outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue        text NOT NULL,
  job_name     text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  relayed_at   timestamptz,
  completed_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL;
CREATE INDEX outbox_unfinished_idx ON outbox (id) WHERE completed_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('herald_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
