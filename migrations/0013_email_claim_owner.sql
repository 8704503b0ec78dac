-- An email claim belongs to the attempt that took it (issue 16, point 10). Each claim writes a
-- random token; completing, releasing or failing the row requires it, so a stale attempt whose
-- lease ran out cannot release or overwrite the live claim of the attempt that took it over.
-- NULL on rows finished before this column existed and on rows no attempt holds.
ALTER TABLE email_log ADD COLUMN claim_token uuid;
