import type { JobHandlers } from '../platform/queue/registry.js';
import type { IngestService } from './ingest.service.js';

export function analyticsEnrichmentJobs(ingest: IngestService): JobHandlers['analytics-enrichment'] {
  return {
    AnalyticsEnrich: async (data) => ingest.enrich(data),
  };
}
