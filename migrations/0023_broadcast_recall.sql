-- herald:expand
-- Safe broadcasts (issue 19): an admin may recall a notification batch. The recall hides the
-- batch's rows by expiring them (every read already leaves expired rows out), stops its fan-out
-- and cancels its emails not yet claimed. The retention purge deletes expired rows within the
-- hour, so what the recall did is kept on the batch row, not derived from rows that will be gone.
-- Expand-only: code older than this never writes 'recalled' nor 'cancelled' and never reads the
-- new columns (a recall during a rolling deploy is honoured by the new workers only).

ALTER TABLE notification_batches DROP CONSTRAINT notification_batches_status_check;
ALTER TABLE notification_batches ADD CONSTRAINT notification_batches_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'recalled'));
ALTER TABLE notification_batches
  ADD COLUMN recalled_at timestamptz,
  ADD COLUMN recalled_by uuid REFERENCES users (id) ON DELETE SET NULL,
  -- What the recall stopped and did not: { hidden, emailsSent, emailsCancelled, emailsFailed,
  -- emailsInFlight, unreached, settled, waitingOn } (broadcasts.rules.ts, RecallCounts).
  ADD COLUMN recall jsonb;
-- The dashboard's list of recent batches, newest first.
CREATE INDEX notification_batches_created_idx ON notification_batches (created_at DESC, id DESC);

-- 'cancelled': a notification email the recall stopped before any attempt claimed it (it was
-- reserved, released after a temporary failure, or its claim found the notification recalled).
ALTER TABLE email_log DROP CONSTRAINT email_log_status_check;
ALTER TABLE email_log ADD CONSTRAINT email_log_status_check
  CHECK (status IN ('sending', 'sent', 'captured', 'failed', 'suppressed', 'cancelled'));
