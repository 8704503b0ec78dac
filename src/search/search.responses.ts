import { z } from 'zod';
import { SEARCH_ENTITY_TYPES } from '../platform/db/schema.js';
import { isoTimestamp, okBody, queueCounts, type Same } from '../platform/http/route-doc.js';
import type { ReindexRunView } from './search-index.service.js';
import type { SearchResponse } from './search.schemas.js';

/** Response shapes of the search API (JOBS.md) and of its index's admin views, for OpenAPI and the client. */

const entityType = z.enum(SEARCH_ENTITY_TYPES).meta({ id: 'SearchEntityType' });

export const searchResultSchema = z.object({
  id: z.string(), entityType, title: z.string(), description: z.string(), relevanceScore: z.number(),
  highlights: z.object({ title: z.string().optional(), description: z.string().optional() }).describe('HTML-escaped text with <mark> around matches'),
  metadata: z.record(z.string(), z.unknown()), createdAt: isoTimestamp, updatedAt: isoTimestamp,
}).meta({ id: 'SearchResult' });

export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
  pagination: z.object({
    page: z.number().int(), pageSize: z.number().int(), total: z.number().int(), totalPages: z.number().int(), hasNextPage: z.boolean(),
    hasPreviousPage: z.boolean(), totalIsExact: z.boolean().describe('false when the match count passed SEARCH_MAX_CANDIDATES: total is then a lower bound'),
  }),
  facets: z.object({
    entityTypes: z.partialRecord(entityType, z.number().int()),
    assetTypes: z.record(z.string(), z.number().int()),
    statuses: z.record(z.string(), z.number().int()),
    tags: z.array(z.object({ value: z.string(), count: z.number().int() })),
  }),
  query: z.string(),
  executionTimeMs: z.number(),
}).meta({ id: 'SearchResponse' });

export const searchBody = okBody(searchResponseSchema);

export const searchIndexStatsBody = okBody(z.object({ realtime: queueCounts, bulk: queueCounts, reindex: queueCounts }));
export const reindexRunSchema = z.object({
  id: z.string(), trigger: z.string(), status: z.string(), documents: z.number().int(), added: z.number().int(), fixed: z.number().int(), removed: z.number().int(),
  error: z.string().nullable(), startedAt: isoTimestamp, completedAt: isoTimestamp.nullable(),
}).meta({ id: 'ReindexRun' });
export const reindexRunsBody = okBody(z.array(reindexRunSchema));

const _search: Same<z.output<typeof searchResponseSchema>, SearchResponse> = true;
const _runs: Same<z.output<typeof reindexRunSchema>, ReindexRunView> = true;
