import type { DigestsService } from '../digests/digests.service.js';
import type { HealthService } from '../health/health.service.js';
import type { Module, Platform } from '../platform/module.js';
import type { HealthGroup } from '../platform/queue/registry.js';
import { aggregationLogRoutes } from './aggregation-logs.routes.js';
import { adminEmailRoutes } from './emails.routes.js';
import { JobHealthService, type GroupProbe } from './job-health.service.js';
import { adminJobRoutes } from './jobs.routes.js';
import { adminQueueRoutes } from './queues.routes.js';
import { QueuesService } from './queues.service.js';

export interface AdminModuleDeps extends Pick<Platform, 'db' | 'redis' | 'queues' | 'email' | 'config'> {
  readonly health: HealthService;
  readonly digests: DigestsService;
  /** Each job family's own checks, beyond its queues (scheduled posts, clamd and ffmpeg). */
  readonly probes: Partial<Record<HealthGroup, GroupProbe>>;
}

/** The admin monitoring: job health, queue operations with their audit log, emails, rollup runs. */
export function adminModule(deps: AdminModuleDeps) {
  const { db, queues, redis, config } = deps;
  const prefix = config.queuePrefix;
  const jobHealth = new JobHealthService({ queues, redis, prefix, health: deps.health, config, probes: deps.probes });
  const queueOps = new QueuesService({ db, queues, redis, prefix });
  return {
    jobHealth,
    queues: queueOps,
    jobs: {},
    routes(http) {
      adminEmailRoutes(http, deps.email);
      adminJobRoutes(http, { queues, digests: deps.digests, jobHealth, redis, prefix });
      aggregationLogRoutes(http, db);
      adminQueueRoutes(http, queueOps, config.health.scheduleGraceMs);
    },
  } satisfies Module & Record<string, unknown>;
}
export type AdminModule = ReturnType<typeof adminModule>;
