import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { jobHealthBody, notificationStatsBody, workersBody } from './admin.responses.js';
import type { JobHealthService } from './job-health.service.js';
import type { JobStatsService } from './job-stats.service.js';

export interface AdminJobRoutesDeps {
  readonly jobHealth: JobHealthService;
  readonly stats: JobStatsService;
}

/** Admin views over the job system (grows with every job family). */
export function adminJobRoutes(app: Http, deps: AdminJobRoutesDeps): void {
  // `monitoring`: MONITORING_TOKEN reads these too (health checks without an admin session).
  app.get('/api/admin/jobs/health', { config: { access: 'admin', monitoring: true, rateLimit: 'admin.jobs', openapi: {
    summary: 'Health of every job group, Redis and PostgreSQL', tags: ['admin'], response: jobHealthBody,
  } } }, async () => ok(await deps.jobHealth.report()));

  app.get('/api/admin/jobs/workers', { config: { access: 'admin', monitoring: true, rateLimit: 'admin.jobs', openapi: { summary: 'Live worker processes', tags: ['admin'], response: workersBody } } }, async () => ok(await deps.stats.workers()));

  app.get('/api/admin/jobs/notifications/stats', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Delivery queue counts and digest runs', tags: ['admin', 'notifications'], response: notificationStatsBody,
  } } }, async () => ok(await deps.stats.notifications()));
}
