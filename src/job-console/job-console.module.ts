import type { Module, Platform } from '../platform/module.js';
import { AuditRepository } from '../admin/index.js';
import { jobConsoleJobs } from './job-console.job.js';
import { bulkRoutes } from './bulk.routes.js';
import { BulkService } from './bulk.service.js';
import { HistoryMaintenance } from './history-maintenance.service.js';
import { MetricsRepository } from './metrics.repository.js';
import { metricsRoutes } from './metrics.routes.js';
import { MetricsService } from './metrics.service.js';
import { SchedulesRepository } from './schedules.repository.js';
import { schedulesRoutes } from './schedules.routes.js';
import { SchedulesService } from './schedules.service.js';
import { SearchRepository } from './search.repository.js';
import { jobSearchRoutes } from './search.routes.js';
import { JobSearchService } from './search.service.js';

export type JobConsoleModuleDeps = Pick<Platform, 'db' | 'readDb' | 'queues' | 'redis' | 'config' | 'log' | 'now'>;

/**
 * The job console (issue 19): job history kept past BullMQ's cleanup (written by the workers,
 * platform/queue/job-history.ts), its search across live jobs and history, metrics over time,
 * schedule control and bulk operations by filter. Admin-only routes under /api/admin/jobs.
 */
export function jobConsoleModule(deps: JobConsoleModuleDeps) {
  const { db, config, log } = deps;
  const audit = new AuditRepository(db, deps.readDb);
  const maintenance = new HistoryMaintenance({ db, log, days: config.jobConsole.history.days });
  const metrics = new MetricsService({
    db, log, metrics: new MetricsRepository(db, deps.readDb), retention: config.jobConsole.metrics,
    historyDays: config.jobConsole.history.days, flushMs: config.jobConsole.history.flushMs,
  });
  const schedules = new SchedulesService({ db, queues: deps.queues, audit, runs: new SchedulesRepository(db, deps.readDb) });
  // Bulk steps compare asOf with BullMQ's finishedOn (the workers' wall clock), so the real clock.
  const bulk = new BulkService({ db, queues: deps.queues, redis: deps.redis, audit, pageSize: config.jobConsole.bulkPageSize });
  const search = new JobSearchService({
    queues: deps.queues, history: new SearchRepository(db, deps.readDb), liveScan: config.jobConsole.searchLiveScan,
    historyDays: config.jobConsole.history.days, countCap: config.jobConsole.searchCountCap,
    timeoutMs: config.jobConsole.searchTimeoutMs,
  });
  return {
    maintenance,
    audit,
    metrics,
    jobs: {
      'job-console': jobConsoleJobs({ maintenance, metrics, now: deps.now }),
    },
    routes(http) {
      // Each part registers its routes here (search, metrics, schedules, bulk).
      schedulesRoutes(http, { schedules });
      metricsRoutes(http, { metrics, now: deps.now });
      bulkRoutes(http, { bulk });
      jobSearchRoutes(http, { search });
    },
  } satisfies Module<'job-console'> & Record<string, unknown>;
}
export type JobConsoleModule = ReturnType<typeof jobConsoleModule>;
