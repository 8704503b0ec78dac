-- herald:expand
-- herald:no-transaction
-- The typo stage keeps a near spelling only if a title the viewer may see holds it
-- (search.repository.ts). Checked over all titles holding the spelling's stem and filtered by
-- visibility, a stem held only by private titles read every one of them to find none visible:
-- `grok` is near `group`, which 13,073 license titles hold ('… — Brand Group'), all private,
-- 13 ms warm and over 300 ms cold a typed word on the bench's 1,000,000 documents. The check now
-- asks two questions, each read from an index holding only rows the viewer may see: a public title
-- (the first index), or a private title the viewer is a party to (the second, BitmapAnd with
-- the title index). Which rows either reads depends only on rows the viewer may see.
-- Concurrently: search_documents is written by every catalog change. Both are small next to the
-- table (the title index is 24 MB on the bench, the public rows 76 % of it; private rows 24 %).
DROP INDEX CONCURRENTLY IF EXISTS search_documents_public_title_idx;
CREATE INDEX CONCURRENTLY search_documents_public_title_idx ON search_documents USING gin (title_document) WHERE is_public;
DROP INDEX CONCURRENTLY IF EXISTS search_documents_private_viewers_idx;
CREATE INDEX CONCURRENTLY search_documents_private_viewers_idx ON search_documents USING gin (viewer_ids) WHERE NOT is_public;
