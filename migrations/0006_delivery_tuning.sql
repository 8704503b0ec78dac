-- Completing an email must be a cheap in-place (HOT) update: no index may cover a column it
-- changes (status, claimed_until, sent_at), and pages keep room for the new row version.
-- The admin list's status filter scans the created_at index instead; it reads one page at a time.
DROP INDEX email_log_status_idx;
ALTER TABLE email_log SET (fillfactor = 80);

-- Options of the job a row becomes (BullMQ priority: URGENT notifications overtake a fan-out).
ALTER TABLE outbox ADD COLUMN priority integer;
