-- Issue 17: the inbox of the best notification platforms. All additive: a notification keeps its
-- columns, and a row that was never seen, archived, snoozed or given an expiry behaves as before.
--
--   seen_at        shown in a feed (the bell opened); read implies seen.
--   archived_at    out of the default list and of every unread count.
--   snoozed_until  hidden from lists and counts until then; snoozing already sets the row unread,
--                  unseen and ranked at that instant, so at `until` it is back by the visibility
--                  predicate alone (the wake job only tells open streams).
--   expires_at     gone from lists and counts at that instant; purged later.
--   ranked_at      when set, the time a row sorts by within its read state and priority instead of
--                  created_at: the moment a snooze ends (it comes back at the top of its band).
--                  Null otherwise, so rows written with an explicit created_at (seeds, imports)
--                  sort by it with nothing else to keep in step.
ALTER TABLE notifications
  ADD COLUMN seen_at timestamptz,
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN snoozed_until timestamptz,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN ranked_at timestamptz;
-- Read implies seen.
UPDATE notifications SET seen_at = coalesce(read_at, created_at) WHERE read;

-- The feed (not archived): its order is the index's order, so a page is a short range scan; the
-- counts (unread, unseen, by type) are index-only scans of (user_id, false), the hiding predicates
-- (snoozed, expired) evaluated on the included columns.
DROP INDEX notifications_inbox_idx;
CREATE INDEX notifications_feed_idx ON notifications (user_id, read, priority DESC, (coalesce(ranked_at, created_at)) DESC, id DESC)
  INCLUDE (type, seen_at, snoozed_until, expires_at) WHERE archived_at IS NULL;
-- The archive view, in the same order.
CREATE INDEX notifications_archive_idx ON notifications (user_id, read, priority DESC, (coalesce(ranked_at, created_at)) DESC, id DESC)
  INCLUDE (type, snoozed_until, expires_at) WHERE archived_at IS NOT NULL;
-- Retention: expired rows, and read rows past NOTIFICATION_RETENTION_DAYS, found in bounded batches.
CREATE INDEX notifications_expires_idx ON notifications (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX notifications_read_created_idx ON notifications (created_at) WHERE read;

-- Quiet hours, in the user's time zone (notification_preferences.timezone, UTC when null): both
-- set or both null. start = end is refused by the API (a whole day of silence is "email off").
ALTER TABLE notification_preferences
  ADD COLUMN quiet_start time,
  ADD COLUMN quiet_end time,
  ADD CONSTRAINT notification_preferences_quiet_hours CHECK ((quiet_start IS NULL) = (quiet_end IS NULL));
