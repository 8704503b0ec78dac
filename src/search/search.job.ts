import type { JobHandlers } from '../platform/queue/registry.js';
import type { SearchIndexService } from './search-index.service.js';

export interface SearchJobsDeps {
  readonly index: Pick<SearchIndexService, 'refresh' | 'bulk' | 'reindex'>;
}

export function searchIndexUpdateJobs({ index }: SearchJobsDeps): JobHandlers['search-index-update'] {
  return { SearchIndexUpdate: async (data) => index.refresh(data.entityType, data.entityId) };
}

export function searchIndexBulkJobs({ index }: SearchJobsDeps): JobHandlers['search-index-bulk'] {
  return { SearchIndexBulk: async (data) => index.bulk(data.entityType, data.entityIds) };
}

export function searchIndexReindexJobs({ index }: SearchJobsDeps): JobHandlers['search-index-reindex'] {
  return {
    // The report (drift found and repaired) is the job's return value, shown by the admin API.
    SearchReindex: async (data, job) => index.reindex(data.trigger, (progress) => job.updateProgress({ ...progress })),
  };
}
