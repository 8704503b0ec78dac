import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../platform/db/client.js';
import { AGGREGATION_JOB_TYPES, AGGREGATION_STATUSES } from '../platform/db/schema.js';
import { aggregationLogsBody } from '../docs/admin.responses.js';
import { paginated, toIso } from '../platform/http/reply.js';
import { paginationQuery, parseQuery } from '../platform/http/validation.js';

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\d/.test(v), 'must be an ISO 8601 date').transform((v) => new Date(v));
const query = z.object({
  ...paginationQuery(50),
  jobType: z.enum(AGGREGATION_JOB_TYPES).optional(),
  status: z.enum(AGGREGATION_STATUSES).optional(),
  startDate: date.optional(),
  endDate: date.optional(),
});

/** GET /api/admin/jobs/aggregation/logs (API.md): the analytics run log, newest first. */
export function aggregationLogRoutes(app: FastifyInstance, db: Db): void {
  app.get('/api/admin/jobs/aggregation/logs', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Analytics aggregation run log', description: 'startDate filters periodStartDate >=, endDate periodEndDate <=; newest first.',
    tags: ['admin', 'analytics'], query, response: aggregationLogsBody,
  } } }, async (request) => {
    const q = parseQuery(query, request.query);
    let base = db.selectFrom('metrics_aggregation_jobs_log');
    if (q.jobType) base = base.where('job_type', '=', q.jobType);
    if (q.status) base = base.where('status', '=', q.status);
    if (q.startDate) base = base.where('period_start_date', '>=', q.startDate);
    if (q.endDate) base = base.where('period_end_date', '<=', q.endDate);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return paginated(rows.map((r) => ({
      id: r.id, jobType: r.job_type, periodStartDate: toIso(r.period_start_date), periodEndDate: toIso(r.period_end_date),
      startedAt: toIso(r.started_at), completedAt: toIso(r.completed_at), status: r.status, recordsProcessed: r.records_processed,
      recordsCreated: r.records_created, recordsUpdated: r.records_updated, errorsCount: r.errors_count, durationSeconds: r.duration_seconds,
      memoryUsedMb: r.memory_used_mb, errorMessage: r.error_message, errorStack: r.error_stack, metadata: r.metadata, createdAt: toIso(r.created_at),
    })), q.page, q.pageSize, Number(count.n));
  });
}
