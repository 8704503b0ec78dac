import type { FastifyInstance } from 'fastify';
import { reindexRunsBody, searchIndexStatsBody } from '../docs/admin.responses.js';
import { ok } from '../platform/http/reply.js';
import { jobAccepted } from '../platform/http/route-doc.js';
import type { Queues } from '../platform/queue/queues.js';
import type { QueueName } from '../platform/queue/registry.js';
import type { SearchIndexService } from './search-index.service.js';

const counts = async (queues: Queues, name: QueueName) => {
  const c = await queues.get(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
};

/** Admin views and controls of the search index (API.md: stats and an on-demand reindex). */
export function searchAdminRoutes(app: FastifyInstance, deps: { queues: Queues; index: SearchIndexService }): void {
  const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
  const tags = ['admin', 'search'];

  app.get('/api/admin/jobs/search-index/stats', { config: { ...admin, openapi: { summary: 'Search index queue counts', tags, response: searchIndexStatsBody } } }, async () => {
    const [realtime, bulk, reindex] = await Promise.all([
      counts(deps.queues, 'search-index-update'), counts(deps.queues, 'search-index-bulk'), counts(deps.queues, 'search-index-reindex'),
    ]);
    return ok({ realtime, bulk, reindex });
  });

  /** The last reindex runs with the drift each repaired (documents added, fixed, removed). */
  app.get('/api/admin/jobs/search-index/runs', { config: { ...admin, openapi: { summary: 'The last reindex runs and the drift each repaired', tags, response: reindexRunsBody } } }, async () => ok(await deps.index.recentRuns(20)));

  app.post('/api/admin/jobs/search-index/reindex', { config: { ...admin, openapi: { summary: 'Start a full reindex (joins one waiting or running)', tags, response: jobAccepted, status: 202 } } }, async (_request, reply) => {
    const jobId = await deps.index.requestReindex();
    return reply.status(202).send(ok({ jobId }));
  });
}
