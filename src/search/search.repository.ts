import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { SearchEntityType } from '../platform/db/schema.js';
import type { SearchFilters } from './search.schemas.js';
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
  facets: { types: Record<string, number> | null; assetTypes: Record<string, number> | null; statuses: Record<string, number> | null; tags: Array<{ value: string; count: number }> | null };
}

const QUERY = 'coalesce(q.full_q || q.prefix_q, q.full_q)';
/**
 * Text rank orders every match; the best this many are then re-ranked with their title's trigram
 * similarity (costly per row, so not over a match of 100,000 documents).
 */
const RERANK_WINDOW = 100;
const TITLE_HL = sql.raw(headlineSql('p.title', QUERY, 'HighlightAll=true'));
const BODY_HL = sql.raw(headlineSql('left(p.body, 2000)', QUERY, 'MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'));

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
  async search(text: SearchText, viewer: Viewer, options: {
    types: readonly SearchEntityType[];
    /** Unified search: facets count every type (its tabs), the page shows `types`. */
    facetAllTypes: boolean;
    /** Also match the last word as a prefix (as-you-type). */
    prefix: boolean;
    /** Also match titles and names by trigram similarity (typos). */
    fuzzy: boolean;
    filters: SearchFilters; limit: number; offset: number;
    /** Matches examined per query (ranked, counted, faceted); more matches than this report `capped`. */
    maxCandidates: number;
  }): Promise<SearchPage> {
    const prefix = text.prefix && options.prefix
      ? sql`websearch_to_tsquery('english', ${text.head}) && to_tsquery('simple', ${`${text.prefix}:*`})`
      : sql`NULL::tsquery`;
    // Letters and digits only, so the words are safe inside to_tsquery.
    const excluded = text.excluded.length ? sql`to_tsquery('english', ${text.excluded.join(' | ')})` : sql`NULL::tsquery`;
    const conditions = [
      // Everything public, plus what this user owns or is a party to; admins see all.
      viewer.admin ? sql`true` : sql`(d.is_public OR d.viewer_ids @> ARRAY[${viewer.userId}]::uuid[])`,
      ...filterSql(options.filters),
    ];
    if (!options.facetAllTypes) conditions.push(sql`d.entity_type = ANY(${[...options.types]}::text[])`);
    const typeFilter = options.facetAllTypes ? sql`m.entity_type = ANY(${[...options.types]}::text[])` : sql`true`;
    const fuzzy = options.fuzzy ? sql`OR (q.raw <> '' AND q.raw <% d.title)` : sql``;
    const window = Math.max(RERANK_WINDOW, options.offset + options.limit);
    const cap = options.maxCandidates;
    const where = sql`NOT coalesce(d.document @@ q.excluded_q, false) AND ${sql.join(conditions, sql` AND `)}`;
    const { rows: [row] } = await sql<{ page: SearchRow[] | null; total: number; types: Record<string, number> | null; asset_types: Record<string, number> | null; statuses: Record<string, number> | null; tags: Array<{ value: string; count: number }> | null }>`
      WITH q0 AS (
        SELECT websearch_to_tsquery('english', ${text.full}) AS full_q, ${prefix} AS prefix_q, ${text.fuzzy}::text AS raw, ${excluded} AS excluded_q
      ),
      q AS MATERIALIZED (SELECT coalesce(full_q || prefix_q, full_q) AS match_q, raw, excluded_q FROM q0),
      -- The candidates, narrow (display columns come later): at most SEARCH_MAX_CANDIDATES matches, title matches
      -- first (they outrank body matches). A broad query thus costs the same as a narrow one. The
      -- coalesce keeps the title tier on the title index alone (ANDing in the document index
      -- would build the body's whole posting bitmap, the very cost the tiers avoid).
      m AS MATERIALIZED (
        SELECT d.entity_type, d.entity_id, d.updated_at, d.asset_type, d.status, d.tags, ts_rank_cd(d.document, q.match_q, 32) AS rank
        FROM (
          (SELECT d.entity_type, d.entity_id FROM search_documents d, q
            WHERE d.title_document @@ q.match_q AND coalesce(d.document @@ q.match_q, false) AND ${where} LIMIT ${cap})
          UNION ALL
          (SELECT d.entity_type, d.entity_id FROM search_documents d, q
            WHERE (d.document @@ q.match_q ${fuzzy}) AND NOT coalesce(d.title_document @@ q.match_q, false) AND ${where} LIMIT ${cap})
          LIMIT ${cap}
        ) c JOIN search_documents d USING (entity_type, entity_id), q
      ),
      top AS (
        SELECT t.*, row_number() OVER (ORDER BY rank DESC, updated_at DESC, entity_id) AS pos
        FROM (SELECT * FROM m WHERE ${typeFilter} ORDER BY rank DESC, updated_at DESC, entity_id LIMIT ${window}) t
      ),
      -- The best RERANK_WINDOW by text rank are re-ranked with the title's trigram similarity.
      scored AS (
        SELECT top.entity_type, top.entity_id, top.pos, top.pos > ${RERANK_WINDOW} AS tail,
          CASE WHEN top.pos <= ${RERANK_WINDOW} THEN top.rank + 0.3 * word_similarity(q.raw, d.title) ELSE top.rank END AS score
        FROM top JOIN search_documents d USING (entity_type, entity_id), q
      ),
      page AS (
        SELECT d.*, s.score, s.tail, s.pos FROM scored s JOIN search_documents d USING (entity_type, entity_id)
        ORDER BY s.tail, s.score DESC, s.pos LIMIT ${options.limit} OFFSET ${options.offset}
      )
      SELECT
        (SELECT json_agg(json_build_object(
            'entity_type', p.entity_type, 'entity_id', p.entity_id, 'title', p.title, 'description', left(coalesce(p.metadata->>'excerpt', p.body), 300),
            'score', round(p.score::numeric, 4), 'metadata', p.metadata, 'created_at', p.created_at, 'updated_at', p.updated_at,
            'title_hl', ${TITLE_HL}, 'body_hl', ${BODY_HL}
          ) ORDER BY p.tail, p.score DESC, p.pos) FROM page p, q0 q) AS page,
        (SELECT count(*)::int FROM m WHERE ${typeFilter}) AS total,
        (SELECT json_object_agg(entity_type, n) FROM (SELECT entity_type, count(*) AS n FROM m GROUP BY 1) x) AS types,
        (SELECT json_object_agg(asset_type, n) FROM (SELECT asset_type, count(*) AS n FROM m WHERE ${typeFilter} AND asset_type IS NOT NULL GROUP BY 1) x) AS asset_types,
        (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM m WHERE ${typeFilter} GROUP BY 1) x) AS statuses,
        (SELECT json_agg(json_build_object('value', tag, 'count', n) ORDER BY n DESC, tag)
           FROM (SELECT tag, count(*)::int AS n FROM m, unnest(m.tags) tag WHERE ${typeFilter} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20) x) AS tags
    `.execute(this.readDb);
    return {
      rows: (row?.page ?? []).map((r) => ({ ...r, score: Number(r.score), created_at: new Date(r.created_at), updated_at: new Date(r.updated_at) })),
      total: row?.total ?? 0,
      facets: { types: row?.types ?? null, assetTypes: row?.asset_types ?? null, statuses: row?.statuses ?? null, tags: row?.tags ?? null },
    };
  }
}
