import type { Module, Platform } from '../platform/module.js';
import { searchAdminRoutes } from './search-admin.routes.js';
import { SearchIndexService } from './search-index.service.js';
import { searchIndexBulkJobs, searchIndexReindexJobs, searchIndexUpdateJobs } from './search.job.js';
import { searchRoutes } from './search.routes.js';
import { SearchService } from './search.service.js';

/** The search index (kept by three jobs from the outbox rows of search.enqueue.ts) and the search API. */
export function searchModule(deps: Pick<Platform, 'db' | 'queues' | 'config' | 'log'>) {
  const { search: options } = deps.config;
  const index = new SearchIndexService(deps.db, { log: deps.log, reindexBatch: options.reindexBatch });
  const query = new SearchService(deps.db, { typoThreshold: options.typoThreshold, prefixThreshold: options.prefixThreshold, maxCandidates: options.maxCandidates });
  return {
    index,
    query,
    jobs: {
      'search-index-update': searchIndexUpdateJobs(index),
      'search-index-bulk': searchIndexBulkJobs(index),
      'search-index-reindex': searchIndexReindexJobs(index),
    },
    routes(http) {
      searchRoutes(http, query);
      searchAdminRoutes(http, { queues: deps.queues, index });
    },
  } satisfies Module<'search-index-update' | 'search-index-bulk' | 'search-index-reindex'> & Record<string, unknown>;
}
export type SearchModule = ReturnType<typeof searchModule>;
