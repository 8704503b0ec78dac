import type { Module, Platform } from '../platform/module.js';
import { StartupError } from '../platform/resources.js';
import { analyticsAggregationJobs } from './aggregation.job.js';
import { AggregationService } from './aggregation.service.js';
import { analyticsRoutes } from './analytics.routes.js';
import { AnalyticsService, type OwnerOf } from './analytics.service.js';
import { GeoIp } from './enrichment.js';
import { analyticsEnrichmentJobs } from './enrichment.job.js';
import { EventsRepository } from './events.repository.js';
import { IdBlocks } from './id-blocks.js';
import { EventQuota } from './ingest.quota.js';
import { IngestService, type IngestPorts } from './ingest.service.js';
import { ReportsRepository } from './reports.repository.js';
import { RollupRepository } from './rollup.repository.js';
import { RunLogRepository } from './run-log.repository.js';
import { RunLogService } from './run-log.service.js';

export interface AnalyticsModuleDeps extends Pick<Platform, 'db' | 'pool' | 'readDb' | 'redis' | 'queues' | 'limiter' | 'config' | 'log' | 'now'> {
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

/**
 * The rollups over `db` alone (the CLI's backfill runs them in its own process, without the API).
 * The module passes its events repository, whose partition cache ingestion shares.
 */
export function aggregationService(deps: Pick<Platform, 'db' | 'log'> & { retentionMonths: number; events?: EventsRepository }): AggregationService {
  const { db, log, retentionMonths } = deps;
  return new AggregationService({
    db, log, retentionMonths, events: deps.events ?? new EventsRepository(db), rollups: new RollupRepository(db), runLog: new RunLogRepository(db),
  });
}

/** Event ingestion and enrichment, the rollups and their run log, the read API over them. */
export function analyticsModule(deps: AnalyticsModuleDeps) {
  const { db, readDb, config } = deps;
  const events = new EventsRepository(db);
  const quota = new EventQuota({ redis: deps.redis, prefix: config.queuePrefix, perHour: config.analytics.userEventsPerHour, enabled: config.rateLimits.enabled, now: deps.now });
  const ids = new IdBlocks((n) => events.reserveIdBlocks(n), { perFetch: config.analytics.idPrefetch, maxAgeMs: config.analytics.idPrefetchMaxAgeMs });
  const ingest = new IngestService({ db, pool: deps.pool, events, ids, geoip: deps.geoip, quota, ports: { visible: deps.visible } });
  const aggregation = aggregationService({ db, log: deps.log, events, retentionMonths: config.analytics.retentionMonths });
  const reports = new AnalyticsService({ reports: new ReportsRepository(db, readDb), ownerOf: deps.ownerOf });
  return {
    ingest,
    aggregation,
    reports,
    /** Port: the rollup run log as the admin API shows it. */
    runLog: new RunLogService({ runLog: new RunLogRepository(db, readDb) }),
    jobs: {
      'analytics-enrichment': analyticsEnrichmentJobs({ ingest }),
      'analytics-aggregation': analyticsAggregationJobs({ aggregation }),
    },
    routes: (http) => analyticsRoutes(http, { ingest, aggregation, reports, queues: deps.queues, limiter: deps.limiter, config }),
  } satisfies Module<'analytics-enrichment' | 'analytics-aggregation'> & Record<string, unknown>;
}
export type AnalyticsModule = ReturnType<typeof analyticsModule>;
