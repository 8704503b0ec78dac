import type { Db } from '../platform/db/client.js';
import { toIso } from '../platform/http/reply.js';
import { isId } from '../platform/http/validation.js';
import { SearchRepository, type SearchRow, type Viewer } from './search.repository.js';
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

/** Search over the index: what the caller may see, best first, with facets of the whole match. */
export class SearchService {
  private readonly repository: SearchRepository;

  constructor(db: Db, private readonly options: { typoThreshold: number; maxCandidates: number }) {
    this.repository = new SearchRepository(db);
  }

  /**
   * Exact and as-you-type matches first; typo-tolerant title matches join only when those find
   * fewer than `typoThreshold` documents (as Typesense's typo_tokens_threshold): a typo search
   * then still finds, and a common word is not slowed by a trigram scan it does not need.
   */
  private async find(request: SearchRequest, viewer: Viewer) {
    const text = searchText(request.q);
    const options = {
      types: request.types, facetAllTypes: request.facetAllTypes ?? false, filters: request.filters,
      limit: request.pageSize, offset: (request.page - 1) * request.pageSize, maxCandidates: this.options.maxCandidates,
    };
    const exact = await this.repository.search(text, viewer, { ...options, fuzzy: false });
    if (exact.total >= this.options.typoThreshold || text.fuzzy === '') return exact;
    return this.repository.search(text, viewer, { ...options, fuzzy: true });
  }

  async search(viewer: Viewer, request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { page, pageSize } = request;
    const f = request.filters;
    // A malformed id filter matches nothing, as a malformed id is simply not found.
    const impossible = [f.projectId, f.creatorId, f.brandId].some((v) => v !== undefined && !isId(v));
    const found = impossible
      ? { rows: [], total: 0, facets: { types: null, assetTypes: null, statuses: null, tags: null } }
      : await this.find(request, viewer);
    const totalPages = Math.ceil(found.total / pageSize);
    return {
      results: found.rows.map(toResult),
      // Past SEARCH_MAX_CANDIDATES matches, the total is a lower bound (as Elasticsearch's track_total_hits).
      pagination: { page, pageSize, total: found.total, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1, totalIsExact: found.total < this.options.maxCandidates },
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
