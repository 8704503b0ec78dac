import { toIso } from '../platform/http/reply.js';
import { isId } from '../platform/http/validation.js';
import type { SearchRepository, SearchRow, Viewer } from './search.repository.js';
import type { SearchRequest, SearchResponse, SearchResult } from './search.schemas.js';
import { searchText } from './search.text.js';

const hasMark = (s: string | null | undefined): s is string => typeof s === 'string' && s.includes('<mark>');

export function toResult(row: SearchRow): SearchResult {
  const highlights: SearchResult['highlights'] = {};
  if (hasMark(row.title_hl)) highlights.title = row.title_hl;
  if (hasMark(row.body_hl)) highlights.description = row.body_hl;
  return {
    id: row.entity_id,
    entityType: row.entity_type,
    title: row.title,
    description: row.description,
    relevanceScore: row.score,
    highlights,
    metadata: row.metadata,
    createdAt: toIso(row.created_at)!,
    updatedAt: toIso(row.updated_at)!,
  };
}

export interface SearchServiceDeps {
  readonly documents: SearchRepository;
  /** SEARCH_TYPO_THRESHOLD, SEARCH_PREFIX_THRESHOLD, SEARCH_MAX_CANDIDATES (see search()). */
  readonly typoThreshold: number;
  readonly prefixThreshold: number;
  readonly maxCandidates: number;
}

/** Search over the index: what the caller may see, best first, with facets of the whole match. */
export class SearchService {
  constructor(private readonly deps: SearchServiceDeps) {}

  /**
   * Widens in steps, each only when the one before found too little: exact words; then the last
   * word also as a prefix (as-you-type) when fewer than `prefixThreshold` documents matched; then
   * typo-tolerant title matches when fewer than `typoThreshold` did (Typesense's
   * typo_tokens_threshold idea). A common word thus never pays for expanding `word:*` over the
   * whole vocabulary or for a trigram scan it does not need. The thresholds do not depend on the
   * page, so every page of a query is cut from the same ranking.
   */
  private async find(request: SearchRequest, viewer: Viewer) {
    const text = searchText(request.q);
    const options = {
      types: request.types, facetAllTypes: request.facetAllTypes ?? false, filters: request.filters,
      limit: request.pageSize, offset: (request.page - 1) * request.pageSize, maxCandidates: this.deps.maxCandidates,
    };
    // A stage widens only when the one before surely found too little: a total that is a lower
    // bound (a phrase checked on the first SEARCH_MAX_CANDIDATES rows holding its words, in no set
    // order) may hide many true matches, and widening then answered word matches for a phrase.
    const tooFew = (f: { total: number; exact: boolean }, threshold: number) => f.exact && f.total < threshold;
    let found = await this.deps.documents.search(text, viewer, { ...options, prefix: false, fuzzy: false });
    if (tooFew(found, this.deps.prefixThreshold) && text.prefix) {
      found = await this.deps.documents.search(text, viewer, { ...options, prefix: true, fuzzy: false });
    }
    if (tooFew(found, this.deps.typoThreshold) && text.typoWords.length > 0) {
      found = await this.deps.documents.search(text, viewer, { ...options, prefix: true, fuzzy: true });
    }
    return found;
  }

  async search(viewer: Viewer, request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { page, pageSize } = request;
    const f = request.filters;
    // A malformed id filter matches nothing, as a malformed id is simply not found.
    const impossible = [f.projectId, f.creatorId, f.brandId].some((v) => v !== undefined && !isId(v));
    const found = impossible
      ? { rows: [], total: 0, exact: true, facets: { types: null, assetTypes: null, statuses: null, tags: null } }
      : await this.find(request, viewer);
    const totalPages = Math.ceil(found.total / pageSize);
    return {
      results: found.rows.map(toResult),
      // Past SEARCH_MAX_CANDIDATES matches, or phrase rows examined, the total is a lower bound (as Elasticsearch's track_total_hits).
      pagination: { page, pageSize, total: found.total, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1, totalIsExact: found.exact },
      facets: {
        entityTypes: found.facets.types ?? {},
        assetTypes: found.facets.assetTypes ?? {},
        statuses: found.facets.statuses ?? {},
        tags: found.facets.tags ?? [],
      },
      query: request.q,
      executionTimeMs: Math.round((performance.now() - started) * 100) / 100,
    };
  }
}
