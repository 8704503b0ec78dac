import type { Module, Platform } from '../platform/module.js';
import { ReindexRunsRepository } from './reindex-runs.repository.js';
import { searchAdminRoutes } from './search-admin.routes.js';
import { SearchIndexRepository } from './search-index.repository.js';
import { SearchIndexService } from './search-index.service.js';
import { searchIndexBulkJobs, searchIndexReindexJobs, searchIndexUpdateJobs } from './search.job.js';
import { SearchRepository } from './search.repository.js';
import { searchRoutes } from './search.routes.js';
import { SearchService } from './search.service.js';

export type SearchModuleDeps = Pick<Platform, 'db' | 'readDb' | 'pool' | 'queues' | 'config' | 'log'>;

/** The search index (kept by three jobs from the outbox rows of search.enqueue.ts) and the search API. */
export function searchModule(deps: SearchModuleDeps) {
  const { db, readDb, pool, log, queues, config: { search: options } } = deps;
  const index = new SearchIndexService({
    db, log, queues, documents: new SearchIndexRepository(db), runs: new ReindexRunsRepository(db, readDb), reindexBatch: options.reindexBatch,
  });
  const query = new SearchService({
    // Named statements on the pool behind readDb: the platform's own pool when no replica is set
    // (readDb is then db); a replica's pool is not handed out, so there the statement goes unnamed.
    documents: new SearchRepository(db, readDb, readDb === db ? pool : undefined), typoThreshold: options.typoThreshold, prefixThreshold: options.prefixThreshold, maxCandidates: options.maxCandidates,
  });
  return {
    index,
    query,
    jobs: {
      'search-index-update': searchIndexUpdateJobs({ index }),
      'search-index-bulk': searchIndexBulkJobs({ index }),
      'search-index-reindex': searchIndexReindexJobs({ index }),
    },
    routes(http) {
      searchRoutes(http, { search: query });
      searchAdminRoutes(http, { index });
    },
  } satisfies Module<'search-index-update' | 'search-index-bulk' | 'search-index-reindex'> & Record<string, unknown>;
}
export type SearchModule = ReturnType<typeof searchModule>;
