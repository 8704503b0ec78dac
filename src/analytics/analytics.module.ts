import type { Module, Platform } from '../platform/module.js';
import { StartupError } from '../platform/resources.js';
import { analyticsAggregationJobs } from './aggregation.job.js';
import { AggregationService } from './aggregation.service.js';
import { analyticsRoutes } from './analytics.routes.js';
import { AnalyticsService, type OwnerOf } from './analytics.service.js';
import { GeoIp } from './enrichment.js';
import { analyticsEnrichmentJobs } from './enrichment.job.js';
import { EventQuota } from './ingest.quota.js';
import { IngestService, type IngestPorts } from './ingest.service.js';

export interface AnalyticsModuleDeps extends Pick<Platform, 'db' | 'redis' | 'queues' | 'limiter' | 'config' | 'log'> {
  /** What the catalog and the blog let a user see: a browser's events are checked against it. */
  readonly visible: IngestPorts['visible'];
  /** Who owns a creator or brand: its analytics are theirs. */
  readonly ownerOf: OwnerOf;
  /** The GeoIP database, opened before any server starts (a bad GEOIP_DB stops start-up with nothing to clean up). */
  readonly geoip: GeoIp;
}

/** Opens GEOIP_DB; its failure is a configuration error. */
export const openGeoIp = (path: string | undefined) => GeoIp.open(path).catch((err: Error) => {
  throw new StartupError(`Invalid configuration: ${err.message}`);
});

/** Event ingestion and enrichment, the rollups and their run log, the read API over them. */
export function analyticsModule(deps: AnalyticsModuleDeps) {
  const { db, config } = deps;
  const ingest = new IngestService({
    db, geoip: deps.geoip, quota: new EventQuota(deps.redis, config.queuePrefix, config.analytics.userEventsPerHour, config.rateLimits.enabled),
    ports: { visible: deps.visible },
  });
  const aggregation = new AggregationService({ db, log: deps.log, events: ingest.events, retentionMonths: config.analytics.retentionMonths });
  const reports = new AnalyticsService(db, deps.ownerOf);
  return {
    ingest,
    aggregation,
    reports,
    jobs: {
      'analytics-enrichment': analyticsEnrichmentJobs(ingest),
      'analytics-aggregation': analyticsAggregationJobs(aggregation),
    },
    routes: (http) => analyticsRoutes(http, { ingest, aggregation, reports, queues: deps.queues, limiter: deps.limiter, config }),
  } satisfies Module<'analytics-enrichment' | 'analytics-aggregation'> & Record<string, unknown>;
}
export type AnalyticsModule = ReturnType<typeof analyticsModule>;
