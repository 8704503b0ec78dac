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

  constructor(db: Db) {
    this.repository = new SearchRepository(db);
  }

  async search(viewer: Viewer, request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { page, pageSize } = request;
    const f = request.filters;
    // A malformed id filter matches nothing, as a malformed id is simply not found.
    const impossible = [f.projectId, f.creatorId, f.brandId].some((v) => v !== undefined && !isId(v));
    const found = impossible
      ? { rows: [], total: 0, facets: { types: null, assetTypes: null, statuses: null, tags: null } }
      : await this.repository.search(searchText(request.q), viewer, {
        types: request.types, facetAllTypes: request.facetAllTypes ?? false, filters: f, limit: pageSize, offset: (page - 1) * pageSize,
      });
    const totalPages = Math.ceil(found.total / pageSize);
    return {
      results: found.rows.map(toResult),
      pagination: { page, pageSize, total: found.total, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 },
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
