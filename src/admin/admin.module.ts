import type { Module, Platform } from '../platform/module.js';
import type { HealthGroup } from '../platform/queue/registry.js';
import { EmailLogReads } from '../platform/email/email-log.reads.js';
import type { AggregationLogs, DeliveryEvents, DigestHistory, DigestRuns, HealthCheck, NotificationHistory } from './admin.ports.js';
import { aggregationLogRoutes } from './aggregation-logs.routes.js';
import { AuditRepository } from './audit.repository.js';
import { adminEmailRoutes } from './emails.routes.js';
import { JobHealthService, type GroupProbe } from './job-health.service.js';
import { JobStatsService } from './job-stats.service.js';
import { adminJobRoutes } from './jobs.routes.js';
import { adminQueueRoutes } from './queues.routes.js';
import { QueuesService } from './queues.service.js';
import { adminTimelineRoutes } from './timeline.routes.js';
import { TimelineService } from './timeline.service.js';

export interface AdminModuleDeps extends Pick<Platform, 'db' | 'readDb' | 'readReplica' | 'redis' | 'queues' | 'email' | 'config' | 'now'> {
  readonly health: HealthCheck;
  readonly digests: DigestRuns;
  readonly aggregationLogs: AggregationLogs;
  /** Each job family's own checks, beyond its queues (scheduled posts, clamd and ffmpeg). */
  readonly probes: Partial<Record<HealthGroup, GroupProbe>>;
  /** The message timeline's reads: notifications, digests and (once wired) the providers' events. */
  readonly notificationHistory: NotificationHistory;
  readonly digestHistory: DigestHistory;
  readonly deliveryEvents?: DeliveryEvents;
}

/** The admin monitoring: job health, queue operations with their audit log, emails, rollup runs. */
export function adminModule(deps: AdminModuleDeps) {
  const { db, queues, redis, config } = deps;
  const prefix = config.queuePrefix;
  const audit = new AuditRepository(db, deps.readDb);
  const jobHealth = new JobHealthService({ db, queues, redis, prefix, health: deps.health, config, probes: deps.probes, replica: deps.readReplica });
  const stats = new JobStatsService({ queues, redis, prefix, digests: deps.digests });
  const queueOps = new QueuesService({ db, queues, redis, prefix, audit });
  const timeline = new TimelineService({
    history: deps.notificationHistory, digests: deps.digestHistory, deliveryEvents: deps.deliveryEvents, emails: new EmailLogReads(db, deps.readDb), now: deps.now,
  });
  return {
    jobHealth,
    queues: queueOps,
    jobs: {},
    routes(http) {
      adminEmailRoutes(http, { email: deps.email });
      adminJobRoutes(http, { jobHealth, stats });
      aggregationLogRoutes(http, { aggregationLogs: deps.aggregationLogs });
      adminQueueRoutes(http, { queues: queueOps, scheduleGraceMs: config.health.scheduleGraceMs });
      adminTimelineRoutes(http, { timeline });
    },
  } satisfies Module & Record<string, unknown>;
}
export type AdminModule = ReturnType<typeof adminModule>;
