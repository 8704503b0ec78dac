-- Notification delivery: one email_log row per email, keyed so that no email is sent twice, and
-- the outbox bookkeeping that lets work be re-driven after Redis loses it.

CREATE TABLE email_log (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- 'notification:<id>' or 'digest:<user>:<period>': the idempotency key of one email.
  key             text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('notification', 'digest')),
  notification_id uuid REFERENCES notifications (id) ON DELETE SET NULL,
  user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
  to_address      text NOT NULL,
  subject         text NOT NULL,
  -- sending: claimed (outcome unknown or a temporary failure); sent: accepted by SMTP;
  -- captured: kept here because no SMTP_URL is set; failed: permanently refused.
  status          text NOT NULL CHECK (status IN ('sending', 'sent', 'captured', 'failed')),
  attempts        integer NOT NULL DEFAULT 1,
  -- A claim is held until this time; a second attempt may only take it over afterwards.
  claimed_until   timestamptz,
  message_id      text NOT NULL,
  html            text,
  body_text       text,
  headers         jsonb,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE UNIQUE INDEX email_log_key ON email_log (key);
CREATE INDEX email_log_created_idx ON email_log (created_at DESC, id DESC);
CREATE INDEX email_log_status_idx ON email_log (status, created_at DESC);

-- Exhausted its attempts in BullMQ: left for an admin to retry, never re-driven automatically.
ALTER TABLE outbox ADD COLUMN failed_at timestamptz;
DROP INDEX outbox_unfinished_idx;
CREATE INDEX outbox_unfinished_idx ON outbox (relayed_at) WHERE completed_at IS NULL AND failed_at IS NULL;
