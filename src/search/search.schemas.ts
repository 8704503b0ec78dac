import { z } from 'zod';
import { ASSET_STATUSES, ASSET_TYPES, PROJECT_STATUSES, SEARCH_ENTITY_TYPES, type SearchEntityType } from '../platform/db/schema.js';
import { listOf, listParam, paginationQuery } from '../platform/http/validation.js';

const q = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
  .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const words = z.preprocess(listParam, z.array(z.string().trim().toLowerCase().min(1).max(50)).min(1).max(20).optional());
const id = z.string().max(100).optional();
const date = z.iso.datetime({ offset: true }).or(z.iso.date()).optional();

const base = { q, ...paginationQuery(20) };
const dates = { from: date, to: date };

export const unifiedQuery = z.strictObject({ ...base, types: listOf(SEARCH_ENTITY_TYPES) });
export const assetsQuery = z.strictObject({
  ...base, ...dates, assetType: listOf(ASSET_TYPES), tags: words, projectId: id, creatorId: id, brandId: id, status: listOf(ASSET_STATUSES),
});
export const creatorsQuery = z.strictObject({ ...base, ...dates, specialties: words });
export const projectsQuery = z.strictObject({ ...base, ...dates, brandId: id, status: listOf(PROJECT_STATUSES) });

/** What the service needs, whichever endpoint was called. */
export interface SearchRequest {
  readonly q: string;
  readonly page: number;
  readonly pageSize: number;
  /** Entity types to return; facets count every type. */
  readonly types: readonly SearchEntityType[];
  /** Unified search counts every type in its facets, whatever `types` shows. */
  readonly facetAllTypes?: boolean;
  readonly filters: SearchFilters;
}

export interface SearchFilters {
  readonly assetTypes?: readonly string[];
  readonly tags?: readonly string[];
  readonly statuses?: readonly string[];
  readonly projectId?: string;
  readonly creatorId?: string;
  readonly brandId?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface SearchResult {
  id: string;
  entityType: SearchEntityType;
  title: string;
  description: string;
  relevanceScore: number;
  highlights: { title?: string; description?: string };
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface SearchFacets {
  entityTypes: Partial<Record<SearchEntityType, number>>;
  assetTypes: Record<string, number>;
  statuses: Record<string, number>;
  tags: Array<{ value: string; count: number }>;
}

export interface SearchResponse {
  results: SearchResult[];
  pagination: { page: number; pageSize: number; total: number; totalPages: number; hasNextPage: boolean; hasPreviousPage: boolean; totalIsExact: boolean };
  facets: SearchFacets;
  query: string;
  executionTimeMs: number;
}
