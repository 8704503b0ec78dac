import { z } from 'zod';
import { AGGREGATION_JOB_TYPES, AGGREGATION_STATUSES } from '../platform/db/schema.js';
import { paginated } from '../platform/http/reply.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { AggregationLogs } from './admin.ports.js';
import { aggregationLogsBody } from './admin.responses.js';

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\d/.test(v), 'must be an ISO 8601 date').transform((v) => new Date(v));
const query = z.object({
  ...paginationQuery(50),
  jobType: z.enum(AGGREGATION_JOB_TYPES).optional(),
  status: z.enum(AGGREGATION_STATUSES).optional(),
  startDate: date.optional(),
  endDate: date.optional(),
});

export interface AggregationLogRoutesDeps {
  readonly aggregationLogs: AggregationLogs;
}

/** GET /api/admin/jobs/aggregation/logs (API.md): the analytics run log, newest first. */
export function aggregationLogRoutes(app: Http, deps: AggregationLogRoutesDeps): void {
  app.get('/api/admin/jobs/aggregation/logs', { schema: { querystring: query }, config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Analytics aggregation run log', description: 'startDate filters periodStartDate >=, endDate periodEndDate <=; newest first.',
    tags: ['admin', 'analytics'], response: aggregationLogsBody,
  } } }, async (request) => {
    const { page, pageSize, ...filter } = request.query;
    const { items, total } = await deps.aggregationLogs.list({ ...filter, limit: pageSize, offset: (page - 1) * pageSize });
    return paginated(items, page, pageSize, total);
  });
}
