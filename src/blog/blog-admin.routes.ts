import { paginated } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { scheduledPage } from './blog.responses.js';
import { scheduledPostsQuery } from './blog.schemas.js';
import type { BlogPublishingService } from './publishing.service.js';

export interface BlogAdminRoutesDeps {
  readonly publishing: BlogPublishingService;
}

/** The dashboard's view of scheduled publication: SCHEDULED posts by time, with their job's state. */
export function blogAdminRoutes(app: Http, deps: BlogAdminRoutesDeps): void {
  app.get('/api/admin/jobs/blog/scheduled', { schema: { querystring: scheduledPostsQuery }, config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Scheduled posts by publication time, with their job\'s state', tags: ['admin', 'blog'], response: scheduledPage,
  } } }, async (request) => {
    const { query } = request;
    const { items, total } = await deps.publishing.listScheduled(query.page, query.pageSize);
    return paginated(items, query.page, query.pageSize, total);
  });
}
