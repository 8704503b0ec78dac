-- Deleting a notification sets its email_log rows' notification_id to NULL (ON DELETE SET NULL,
-- 0002), and nothing indexed that column: every deleted notification scanned the whole email log.
-- With a log of 220,000 rows a delete of 100 notifications took 2.3 s (14 ms with this index); the
-- retention purge (issue 17) deletes thousands per batch, a bulk delete a hundred, a deleted user
-- all of theirs. Partial: digest emails name no notification.
CREATE INDEX email_log_notification_idx ON email_log (notification_id) WHERE notification_id IS NOT NULL;
