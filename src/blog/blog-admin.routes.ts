import type { FastifyInstance } from 'fastify';
import { scheduledPage } from '../docs/blog.responses.js';
import { paginated } from '../platform/http/reply.js';
import { parseQuery } from '../platform/http/validation.js';
import { scheduledPostsQuery } from './blog.schemas.js';
import type { BlogPublishingService } from './publishing.service.js';

/** The dashboard's view of scheduled publication: SCHEDULED posts by time, with their job's state. */
export function blogAdminRoutes(app: FastifyInstance, publishing: BlogPublishingService): void {
  app.get('/api/admin/jobs/blog/scheduled', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Scheduled posts by publication time, with their job\'s state', tags: ['admin', 'blog'], query: scheduledPostsQuery, response: scheduledPage,
  } } }, async (request) => {
    const query = parseQuery(scheduledPostsQuery, request.query);
    const { items, total } = await publishing.listScheduled(query.page, query.pageSize);
    return paginated(items, query.page, query.pageSize, total);
  });
}
