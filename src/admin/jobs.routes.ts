import type { FastifyInstance } from 'fastify';
import type { DigestsService } from '../digests/digests.service.js';
import type { JobHealthService } from './job-health.service.js';
import type { Redis } from 'ioredis';
import { listWorkers } from '../platform/queue/heartbeat.js';
import { ok, toIso } from '../platform/http/reply.js';
import { jobHealthBody, notificationStatsBody, workersBody } from '../docs/admin.responses.js';
import type { Queues } from '../platform/queue/queues.js';
import { nextRunOf } from '../platform/queue/schedules.js';

/** Admin views over the job system (grows with every job family). */
export function adminJobRoutes(app: FastifyInstance, deps: { queues: Queues; digests: DigestsService; jobHealth: JobHealthService; redis: Redis; prefix: string }): void {
  app.get('/api/admin/jobs/health', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Health of every job group, Redis and PostgreSQL', tags: ['admin'], response: jobHealthBody,
  } } }, async () => ok(await deps.jobHealth.report()));

  app.get('/api/admin/jobs/workers', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: { summary: 'Live worker processes', tags: ['admin'], response: workersBody } } }, async () => ok(await listWorkers(deps.redis, deps.prefix)));

  app.get('/api/admin/jobs/notifications/stats', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Delivery queue counts and digest runs', tags: ['admin', 'notifications'], response: notificationStatsBody,
  } } }, async () => {
    const [counts, lastDaily, lastWeekly, nextDaily, nextWeekly] = await Promise.all([
      deps.queues.get('notification-delivery').getJobCounts('waiting', 'active', 'completed', 'failed'),
      deps.digests.lastRun('DAILY'),
      deps.digests.lastRun('WEEKLY'),
      nextRunOf(deps.queues, 'digest-daily'),
      nextRunOf(deps.queues, 'digest-weekly'),
    ]);
    const digest: Record<string, string> = {};
    if (lastDaily) digest.lastDailyRun = toIso(lastDaily.run_at)!;
    if (lastWeekly) digest.lastWeeklyRun = toIso(lastWeekly.run_at)!;
    if (nextDaily) digest.nextDailyRun = nextDaily.toISOString();
    if (nextWeekly) digest.nextWeeklyRun = nextWeekly.toISOString();
    return ok({
      delivery: { waiting: counts.waiting ?? 0, active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      digest,
    });
  });
}
