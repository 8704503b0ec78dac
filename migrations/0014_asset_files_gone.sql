-- Deleting an asset deletes its files, whatever removed the row: DELETE /api/assets/:id, or a
-- cascade from its creator (and from the creator's user). The rows of the statement's deleted
-- assets are read from its transition table, and one MediaFilesDelete outbox row per 100 uploads
-- is written in the same transaction, so a crash after the commit loses no file removal. The
-- handler removes each upload's whole folder (`assets/<asset>/<upload>/`).
CREATE FUNCTION ip_assets_files_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (queue, job_name, payload)
  SELECT 'media-scan', 'MediaFilesDelete', jsonb_build_object('keys', '[]'::jsonb, 'uploads', jsonb_agg(storage_key ORDER BY storage_key))
  FROM (
    SELECT storage_key, (row_number() OVER (ORDER BY storage_key) - 1) / 100 AS page
    FROM gone WHERE storage_key IS NOT NULL
  ) uploads
  GROUP BY page;
  RETURN NULL;
END $$;

CREATE TRIGGER ip_assets_files_gone AFTER DELETE ON ip_assets
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ip_assets_files_gone();
