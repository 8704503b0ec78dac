import { ok } from '../platform/http/reply.js';
import { jobAccepted } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { SearchIndexService } from './search-index.service.js';
import { reindexRunsBody, searchIndexStatsBody } from './search.responses.js';

export interface SearchAdminRoutesDeps {
  readonly index: SearchIndexService;
}

/** Admin views and controls of the search index (API.md: stats and an on-demand reindex). */
export function searchAdminRoutes(app: Http, deps: SearchAdminRoutesDeps): void {
  const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
  const tags = ['admin', 'search'];

  app.get('/api/admin/jobs/search-index/stats', { config: { ...admin, openapi: { summary: 'Search index queue counts', tags, response: searchIndexStatsBody } } }, async () =>
    ok(await deps.index.queueStats()));

  /** The last reindex runs with the drift each repaired (documents added, fixed, removed). */
  app.get('/api/admin/jobs/search-index/runs', { config: { ...admin, openapi: { summary: 'The last reindex runs and the drift each repaired', tags, response: reindexRunsBody } } }, async () => ok(await deps.index.recentRuns(20)));

  app.post('/api/admin/jobs/search-index/reindex', { config: { ...admin, openapi: { summary: 'Start a full reindex (joins one waiting or running)', tags, response: jobAccepted, status: 202 } } }, async (_request, reply) => {
    const jobId = await deps.index.requestReindex();
    return reply.status(202).send(ok({ jobId }));
  });
}
