-- herald:expand
-- The vocabulary's trigram index without GIN's pending list (fastupdate). Its words arrive after
-- the index exists (a fresh install migrates an empty index, then the reindex writes the words),
-- so with fastupdate every one of them waited in the pending list until a VACUUM merged it, and
-- each typo lookup read that whole list (up to gin_pending_list_limit, 4 MB): on the bench's
-- 1,000,000 documents, migrated empty and then reindexed, the planner rightly priced the index
-- above a sequential scan of the 46,000 words, 60 ms a typed word instead of 0.3 ms (bench:search
-- p95 165 ms, docs/BENCHMARKS.md). New words are rare once the catalog's words are in (most index
-- writes insert no word: ON CONFLICT DO NOTHING), so writing each one into the tree costs little.
ALTER INDEX search_vocabulary_trgm_idx SET (fastupdate = off);
-- What an earlier fill left pending, merged now; and statistics for the words already there.
SELECT gin_clean_pending_list('search_vocabulary_trgm_idx'::regclass);
ANALYZE search_vocabulary;
