-- herald:expand
-- Delivery you can see and trust (issue 18): which transport accepted each email and what it
-- answered, addresses that must not be mailed again, and the providers' later delivery events.
-- Expand-only: code older than this never writes 'suppressed' nor reads the new tables.

-- The SMTP transport that accepted the email (its name in SMTP_URL order, e.g. 'smtp-1') and the
-- server's final answer; a suppressed email is logged and never handed to a transport.
ALTER TABLE email_log ADD COLUMN transport text, ADD COLUMN smtp_response text;
ALTER TABLE email_log DROP CONSTRAINT email_log_status_check;
ALTER TABLE email_log ADD CONSTRAINT email_log_status_check
  CHECK (status IN ('sending', 'sent', 'captured', 'failed', 'suppressed'));
-- Bounce and complaint events name our Message-ID; they are matched to the log through it.
CREATE INDEX email_log_message_id_idx ON email_log (message_id);

-- An address herald does not mail until an admin lifts it: one row per lower-cased address.
CREATE TABLE email_suppressions (
  email       text PRIMARY KEY CHECK (email = lower(email)),
  reason      text NOT NULL CHECK (reason IN ('hard-bounce', 'complaint')),
  -- Who reported it: 'smtp' (a permanent 5xx at hand-off) or the webhook provider ('ses', 'postmark', 'generic').
  source      text NOT NULL,
  -- The SMTP answer or the provider's diagnostic, for the admin deciding whether to lift it.
  detail      text,
  message_id  text,
  user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_suppressions_created_idx ON email_suppressions (created_at DESC, email);
CREATE INDEX email_suppressions_email_trgm_idx ON email_suppressions USING gin (email gin_trgm_ops);

-- Delivery events reported by providers after the hand-off. A provider's retry of the same event
-- hits the unique key and changes nothing; an event naming no Message-ID of ours is kept with
-- email_log_id NULL (logged, answered 200).
CREATE TABLE email_events (
  id                 bigserial PRIMARY KEY,
  provider           text NOT NULL,
  provider_event_id  text NOT NULL,
  type               text NOT NULL CHECK (type IN ('delivered', 'bounce', 'complaint')),
  email              text NOT NULL,
  message_id         text,
  email_log_id       uuid REFERENCES email_log (id) ON DELETE SET NULL,
  permanent          boolean NOT NULL DEFAULT false,
  detail             text,
  occurred_at        timestamptz NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_event_id)
);
CREATE INDEX email_events_log_idx ON email_events (email_log_id, occurred_at) WHERE email_log_id IS NOT NULL;
