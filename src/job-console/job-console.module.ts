import type { Module, Platform } from '../platform/module.js';
import { AuditRepository } from '../admin/index.js';
import { jobConsoleJobs } from './job-console.job.js';
import { HistoryMaintenance } from './history-maintenance.service.js';

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
  return {
    maintenance,
    audit,
    jobs: {
      'job-console': jobConsoleJobs({ maintenance }),
    },
    routes(_http) {
      // Each part registers its routes here (search, metrics, schedules, bulk).
    },
  } satisfies Module<'job-console'> & Record<string, unknown>;
}
export type JobConsoleModule = ReturnType<typeof jobConsoleModule>;
