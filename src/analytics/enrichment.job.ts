import type { JobHandlers } from '../platform/queue/registry.js';
import type { IngestService } from './ingest.service.js';

export interface EnrichmentJobsDeps {
  readonly ingest: Pick<IngestService, 'enrich'>;
}

export function analyticsEnrichmentJobs({ ingest }: EnrichmentJobsDeps): JobHandlers['analytics-enrichment'] {
  return {
    AnalyticsEnrich: async (data) => ingest.enrich(data),
  };
}
