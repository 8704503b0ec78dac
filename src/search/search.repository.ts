import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../platform/db/client.js';
import { Repository } from '../platform/db/repository.js';
import type { SearchEntityType } from '../platform/db/schema.js';
import type { SearchFilters } from './search.schemas.js';
import { namedStatement, type NamedStatements } from './search.statement.js';
import { headlineSql, type SearchText } from './search.text.js';

export interface Viewer {
  readonly userId: string;
  readonly admin: boolean;
}

export interface SearchRow {
  entity_type: SearchEntityType;
  entity_id: string;
  title: string;
  description: string;
  score: number;
  title_hl: string;
  body_hl: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface SearchPage {
  rows: SearchRow[];
  total: number;
  /** False when the match was cut at SEARCH_MAX_CANDIDATES: `total` is then a lower bound. */
  exact: boolean;
  facets: { types: Record<string, number> | null; assetTypes: Record<string, number> | null; statuses: Record<string, number> | null; tags: Array<{ value: string; count: number }> | null };
}

interface StatementRow {
  page: SearchRow[] | null; total: number; capped: boolean; types: Record<string, number> | null; asset_types: Record<string, number> | null;
  statuses: Record<string, number> | null; tags: Array<{ value: string; count: number }> | null;
}

/**
 * Text rank orders every match; the best this many are then re-ranked with their title's trigram
 * similarity (costly per row, so not over a match of 100,000 documents).
 */
const RERANK_WINDOW = 100;
/** Near spellings a typed word is matched to (the closest by trigram similarity, at least 0.3). */
const TYPO_SPELLINGS = 5;
/** How many of a stem's visible titles the typo spelling check reads for the word itself. */
const TYPO_RECHECK_ROWS = 200;
const TITLE_HL = sql.raw(headlineSql('p.title', 'q.title_q', 'HighlightAll=true'));
const BODY_HL = sql.raw(headlineSql('left(p.body, 2000)', 'q.title_q', 'MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'));

/**
 * The query the GIN index answers exactly: phrase operators (`<->`, `<N>`) become `&`. The index
 * stores no positions, so a phrase is checked on every row holding its words, and two common words
 * hold thousands (`"sarasota chested"`: 8,500 rows read for 200 matches, 60-160 ms); the tiers
 * below examine at most SEARCH_MAX_CANDIDATES of them instead. With a `!` anywhere the query is
 * left as it is (`&` under a NOT would narrow, not widen); tsquery's text form puts spaces around
 * operators only, never inside a quoted lexeme, so the pattern cannot hit a lexeme.
 */
const loose = (query: string) => sql.raw(`CASE WHEN strpos(${query}::text, '!') = 0 THEN regexp_replace(${query}::text, ' <(-|[0-9]+)> ', ' & ', 'g')::tsquery ELSE ${query} END`);

function filterSql(f: SearchFilters): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (f.assetTypes) where.push(sql`d.asset_type::text = ANY(${[...f.assetTypes]}::text[])`);
  if (f.tags) where.push(sql`d.tags @> ${[...f.tags]}::text[]`);
  if (f.statuses) where.push(sql`d.status = ANY(${[...f.statuses]}::text[])`);
  if (f.projectId) where.push(sql`d.project_id = ${f.projectId}::uuid`);
  if (f.creatorId) where.push(sql`d.creator_id = ${f.creatorId}::uuid`);
  if (f.brandId) where.push(sql`d.brand_id = ${f.brandId}::uuid`);
  if (f.from) where.push(sql`d.created_at >= ${f.from}::timestamptz`);
  if (f.to) where.push(sql`d.created_at <= ${f.to}::timestamptz`);
  return where;
}

/**
 * The search statement: matches, visibility, ranking, the page with highlights, total and facets. On
 * readDb (the replica when configured): the index itself trails its sources by a job's run.
 */
export class SearchRepository extends Repository {
  /**
   * `named`: the pool behind `readDb`, where the statement runs prepared under a name (planning
   * took 3.7-4.2 ms of each call, up to 3 calls a query). Without it (over a transaction, or a
   * replica whose pool the platform does not hand out) it runs unnamed through Kysely.
   */
  constructor(db: Executor, readDb: Executor = db, private readonly named?: NamedStatements) {
    super(db, readDb);
  }

  async search(text: SearchText, viewer: Viewer, options: {
    types: readonly SearchEntityType[];
    /** Unified search: facets count every type (its tabs), the page shows `types`. */
    facetAllTypes: boolean;
    /** Also match the last word as a prefix (as-you-type). */
    prefix: boolean;
    /** Also match titles and names through near spellings of the typed words (typos). */
    fuzzy: boolean;
    filters: SearchFilters; limit: number; offset: number;
    /** Matches examined per query (ranked, counted, faceted), and rows per tier a phrase is checked on; past it `exact` is false. */
    maxCandidates: number;
  }): Promise<SearchPage> {
    const prefix = text.prefix && options.prefix
      ? sql`websearch_to_tsquery('english', ${text.head}) && to_tsquery('simple', ${`${text.prefix}:*`})`
      : sql`NULL::tsquery`;
    // Letters and digits only, so the words are safe inside to_tsquery.
    const excluded = text.excluded.length ? sql`to_tsquery('english', ${text.excluded.join(' | ')})` : sql`NULL::tsquery`;
    // Everything public, plus what this user owns or is a party to; admins see all.
    const visible = viewer.admin ? sql`true` : sql`(d.is_public OR d.viewer_ids @> ARRAY[${viewer.userId}]::uuid[])`;
    // Typos: each typed word ORs its near spellings among title words (search_vocabulary), the words
    // are ANDed; none when a word has no near spelling at all. Matched on titles only. A spelling
    // counts only if a title this viewer may see holds it (taken in similarity order, OFFSET 0
    // keeping the check after the sort): the vocabulary holds the words of private titles too, and
    // were the closest taken among all, a private word would push a visible spelling out, telling
    // the viewer it exists. The visible title must hold the word itself, not only its english stem
    // (the index finds the stem's titles, the 'simple' recheck the word): else private words of a
    // visible stem ('quorvanted' beside a public 'quorvant') took the places the same way.
    // The recheck reads at most TYPO_RECHECK_ROWS of the stem's visible titles: unbounded, a common
    // stem whose word no visible title holds read thousands of rows (bench:search p95 1.3 s). Which
    // rows it reads depends on visible titles only, so the bound costs recall, never privacy.
    // Asked of public titles and of the viewer's own private ones apart, each from an index of
    // those rows only (migration 0028): filtering all titles of a stem by visibility read every
    // private one (`grok` → `group`: 13,073 private license titles, 13 ms warm, 300 ms cold).
    const held = (rows: RawBuilder<unknown>) => sql`EXISTS (SELECT 1 FROM (
                SELECT d.title FROM search_documents d WHERE d.title_document @@ plainto_tsquery('english', c.word) AND ${rows} LIMIT ${sql.lit(TYPO_RECHECK_ROWS)}
              ) h WHERE to_tsvector('simple', h.title) @@ plainto_tsquery('simple', c.word))`;
    // The LIMIT changes nothing but the generic plan's estimate: without a known array, unnest is
    // priced at 10 words, which put the generic plan above every custom one (PostgreSQL then plans
    // each call, 2-4 ms); under a LIMIT it does not know, at 1 (its 10 % guess), below them.
    const typo = options.fuzzy && text.typoWords.length
      ? sql`(SELECT CASE WHEN count(*) = ${text.typoWords.length} THEN tsquery_and_agg(spellings) END FROM (
          SELECT tsquery_or_agg(plainto_tsquery('english', v.word) ORDER BY v.word) AS spellings
          FROM (SELECT word FROM unnest(${[...text.typoWords]}::text[]) AS u(word) LIMIT ${text.typoWords.length}) t
          CROSS JOIN LATERAL (SELECT c.word FROM (
              SELECT v.word FROM search_vocabulary v WHERE v.word % t.word ORDER BY similarity(v.word, t.word) DESC, v.word OFFSET 0
            ) c WHERE ${viewer.admin ? held(sql`true`) : sql`${held(sql`d.is_public`)} OR ${held(sql`NOT d.is_public AND d.viewer_ids @> ARRAY[${viewer.userId}]::uuid[]`)}`}
            LIMIT ${sql.lit(TYPO_SPELLINGS)}) v
          GROUP BY t.word) x)`
      : sql`NULL::tsquery`;
    const filters = filterSql(options.filters);
    const conditions = [visible, ...filters];
    if (!options.facetAllTypes) conditions.push(sql`d.entity_type = ANY(${[...options.types]}::text[])`);
    const typeFilter = options.facetAllTypes ? sql`m.entity_type = ANY(${[...options.types]}::text[])` : sql`true`;
    const window = Math.max(RERANK_WINDOW, options.offset + options.limit);
    // Constants are literals, so a generic plan of the named statement sees the same LIMITs as a custom one.
    const cap = sql.lit(options.maxCandidates);
    const where = sql`NOT coalesce(d.document @@ q.excluded_q, false) AND ${sql.join(conditions, sql` AND `)}`;
    const columns = sql`d.entity_type, d.entity_id, d.title, d.updated_at, d.asset_type, d.status, d.tags`;
    const query = sql<StatementRow>`
      WITH q0 AS MATERIALIZED (
        SELECT coalesce(full_q || prefix_q, full_q) AS match_q, typo_q, raw, excluded_q FROM (
          SELECT websearch_to_tsquery('english', ${text.full}) AS full_q, ${prefix} AS prefix_q, ${typo} AS typo_q, ${text.fuzzy}::text AS raw, ${excluded} AS excluded_q
        ) x
      ),
      -- title_q: what a title may match (the words, or their near spellings in the typo stage);
      -- index_q, title_index_q: the same with phrases loosened to AND (what the GIN index answers).
      q AS MATERIALIZED (
        SELECT match_q, title_q, raw, excluded_q, ${loose('match_q')} AS index_q, ${loose('title_q')} AS title_index_q
        FROM q0, LATERAL (SELECT coalesce(match_q || typo_q, match_q) AS title_q) t
      ),
      -- The candidates, gathered in two tiers of at most SEARCH_MAX_CANDIDATES rows each: title
      -- matches first (they outrank body matches), then body matches. A broad query thus costs the
      -- same as a narrow one. Each tier reads what its index answers and keeps the rows that match
      -- (rank not null: for a phrase, the words in sequence); without a phrase every row matches.
      -- The display columns wanted later (title for the re-rank) come from the row read here. The
      -- coalesce keeps the title tier on the title index alone (ANDing in the document index
      -- would build the body's whole posting bitmap, the very cost the tiers avoid).
      t1 AS MATERIALIZED (
        SELECT ${columns}, CASE WHEN d.document @@ q.title_q THEN ts_rank_cd(d.document, q.title_q, 32) END AS rank
        FROM search_documents d, q
        WHERE d.title_document @@ q.title_index_q AND coalesce(d.document @@ q.title_index_q, false) AND ${where}
        LIMIT ${cap}
      ),
      -- Without a phrase the body tier only fills what the title tier left; with one it examines its own.
      lim AS (
        SELECT count(*) AS examined, CASE WHEN (SELECT index_q::text <> match_q::text FROM q) THEN ${cap} ELSE greatest(${cap} - count(*), 0) END AS body
        FROM t1
      ),
      t2 AS MATERIALIZED (
        SELECT ${columns}, CASE WHEN d.document @@ q.match_q THEN ts_rank_cd(d.document, q.title_q, 32) END AS rank
        FROM search_documents d, q
        WHERE d.document @@ q.index_q AND NOT coalesce(d.title_document @@ q.title_index_q, false) AND ${where}
        LIMIT (SELECT body FROM lim)
      ),
      m AS MATERIALIZED (
        SELECT * FROM ((SELECT * FROM t1 WHERE rank IS NOT NULL) UNION ALL (SELECT * FROM t2 WHERE rank IS NOT NULL) LIMIT ${cap}) c
      ),
      top AS (
        SELECT t.*, row_number() OVER (ORDER BY rank DESC, updated_at DESC, entity_id) AS pos
        FROM (SELECT * FROM m WHERE ${typeFilter} ORDER BY rank DESC, updated_at DESC, entity_id LIMIT ${window}) t
      ),
      -- The best RERANK_WINDOW by text rank are re-ranked with the title's trigram similarity.
      scored AS (
        SELECT top.entity_type, top.entity_id, top.pos, top.pos > ${sql.lit(RERANK_WINDOW)} AS tail,
          CASE WHEN top.pos <= ${sql.lit(RERANK_WINDOW)} THEN top.rank + 0.3 * word_similarity(q.raw, top.title) ELSE top.rank END AS score
        FROM top, q
      ),
      page AS (
        SELECT * FROM scored s ORDER BY s.tail, s.score DESC, s.pos LIMIT ${options.limit} OFFSET ${options.offset}
      )
      SELECT
        (SELECT json_agg(json_build_object(
            'entity_type', p.entity_type, 'entity_id', p.entity_id, 'title', p.title, 'description', left(coalesce(p.metadata->>'excerpt', p.body), 300),
            'score', round(s.score::numeric, 4), 'metadata', p.metadata, 'created_at', p.created_at, 'updated_at', p.updated_at,
            'title_hl', ${TITLE_HL}, 'body_hl', ${BODY_HL}
          ) ORDER BY s.tail, s.score DESC, s.pos) FROM page s JOIN search_documents p USING (entity_type, entity_id), q) AS page,
        (SELECT count(*)::int FROM m WHERE ${typeFilter}) AS total,
        (SELECT lim.examined >= ${cap} OR (SELECT count(*) FROM t2) >= lim.body OR (SELECT count(*) FROM m) >= ${cap} FROM lim) AS capped,
        (SELECT json_object_agg(entity_type, n) FROM (SELECT entity_type, count(*) AS n FROM m GROUP BY 1) x) AS types,
        (SELECT json_object_agg(asset_type, n) FROM (SELECT asset_type, count(*) AS n FROM m WHERE ${typeFilter} AND asset_type IS NOT NULL GROUP BY 1) x) AS asset_types,
        (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM m WHERE ${typeFilter} GROUP BY 1) x) AS statuses,
        (SELECT json_agg(json_build_object('value', tag, 'count', n) ORDER BY n DESC, tag)
           FROM (SELECT tag, count(*)::int AS n FROM m, unnest(m.tags) tag WHERE ${typeFilter} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20) x) AS tags
    `;
    // Named only without filters: at most 24 shapes a connection (3 stages, exclusion, admin,
    // facetAllTypes) rather than 2^8 more for the filter combinations a client may send; a
    // filtered search is also the one a custom plan may serve better (a rare tag, one project).
    const { rows: [row] } = this.named && filters.length === 0
      ? await this.named.query<StatementRow>(namedStatement(query.compile(this.readDb)))
      : await query.execute(this.readDb);
    return {
      rows: (row?.page ?? []).map((r) => ({ ...r, score: Number(r.score), created_at: new Date(r.created_at), updated_at: new Date(r.updated_at) })),
      total: row?.total ?? 0,
      exact: !(row?.capped ?? false),
      facets: { types: row?.types ?? null, assetTypes: row?.asset_types ?? null, statuses: row?.statuses ?? null, tags: row?.tags ?? null },
    };
  }
}
