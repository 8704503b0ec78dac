-- herald:expand
-- Job search (issue 19, src/job-console/search.*): what GET /api/admin/jobs/search needs of
-- job_history, and nothing more (every index here is paid by the history writer on each row; the
-- costs measured on 1,000,000 rows are in docs/OPERATIONS.md, "Search"). Expand-only: older code
-- never reads the new column or indexes.

-- Full-text search over search_text with the 'simple' configuration's dictionary (no stemming, no
-- stop words: job text is ids, names, error messages) minus the token types that are ids and
-- numbers: uuids and their parts, hex words, integers, versions, paths and URLs. Those are unique
-- per job, so with 'simple' they made the text index larger than the table (591 MB against 12 MB
-- on 1,000,000 rows) and its upkeep most of the writer's cost; they are found by the trigram
-- substring match instead, which is exact for them.
CREATE TEXT SEARCH CONFIGURATION job_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION job_search
  DROP MAPPING FOR numword, numhword, hword_numpart, int, uint, float, sfloat, version, file, url, url_path;

-- Stored rather than an expression index: a search examining the newest matches in time order
-- tests each row, and parsing search_text again per row (to_tsvector) cost 7 µs a row there,
-- 170 ms for a common word; reading the stored vector is well under 1 µs. The parse happens once,
-- at insert, as an expression index's would.
ALTER TABLE job_history ADD COLUMN search_doc tsvector
  GENERATED ALWAYS AS (to_tsvector('job_search'::regconfig, search_text)) STORED;

-- Words (websearch_to_tsquery('job_search', q) @@ search_doc).
CREATE INDEX job_history_search_doc_idx ON job_history USING gin (search_doc);
-- Any substring of three characters or more (search_text LIKE '%q%'): ids, uuids, numbers, parts of words.
CREATE INDEX job_history_search_trgm_idx ON job_history USING gin (search_text gin_trgm_ops);
-- Browsing by job name (?name=, no text), newest first.
CREATE INDEX job_history_name_finished_idx ON job_history (name, finished_at DESC);
-- Browsing failures (?state=failed, with or without a queue): partial, so completed rows (most of
-- them) cost nothing. Read with the queue or, without one, whole within a slice of time (the failed
-- rows of a day). state=completed needs no index: most rows are completed.
CREATE INDEX job_history_failed_queue_idx ON job_history (queue, finished_at DESC) WHERE state = 'failed';
