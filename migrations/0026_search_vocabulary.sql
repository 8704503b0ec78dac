-- herald:expand
-- Typo tolerance over the words of titles, not over the titles themselves. Comparing the typed
-- text with a million titles by trigram (`raw <% title`) read the posting lists of every trigram
-- the text shares with them, then each candidate's row: 50-150 ms a typo on the bench's 1,000,000
-- documents. The distinct words of all titles are ~46,000 there: a typed word finds its near
-- spellings here in well under a millisecond, and the words found are matched through the
-- title_document index like any other word.
--
-- A word is the 'simple' configuration's token of a title (lower-cased, unstemmed: a typo is
-- compared with what was written, `hckle` with `heckle`, not with the stem `heckl`), and only one
-- the 'english' configuration keeps (a stop word would make an empty query). The index writes
-- add the words of the titles they write; a word whose last title is gone stays (it then finds
-- nothing, harmlessly): the table grows with the distinct words ever written, not with documents.
CREATE TABLE search_vocabulary (
  word text PRIMARY KEY
);
CREATE INDEX search_vocabulary_trgm_idx ON search_vocabulary USING gin (word gin_trgm_ops);

INSERT INTO search_vocabulary (word)
SELECT w FROM (SELECT DISTINCT w FROM search_documents, unnest(tsvector_to_array(to_tsvector('simple', title))) w) x
WHERE length(w) <= 60 AND to_tsvector('english', w) <> ''::tsvector
ORDER BY 1;
ANALYZE search_vocabulary;

-- OR and AND over a set of tsqueries (tsquery_or and tsquery_and are the || and && operators):
-- a typed word's near spellings are ORed, and the typed words ANDed.
CREATE AGGREGATE tsquery_or_agg (tsquery) (sfunc = tsquery_or, stype = tsquery);
CREATE AGGREGATE tsquery_and_agg (tsquery) (sfunc = tsquery_and, stype = tsquery);
