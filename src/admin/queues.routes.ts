import { z } from 'zod';
import { ok, paginated, toIso } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import {
  auditBody, countBody, jobDetailBody, jobsPageBody, pausedBody, queueNameSchema, queuesBody, removedBody, retriedBody, schedulersBody,
} from './admin.responses.js';
import { CLEANABLE, JOB_STATES, type QueuesService } from './queues.service.js';

const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;

/**
 * Documented as the queue-name enum, checked by the service: an unknown queue or job answers
 * 404 'Queue not found' / 'Job not found' as it always has, not a failed params schema's 400.
 * The handler sees the string as it came.
 */
const checkedByService = <T extends z.ZodType>(schema: T) => schema.catch((ctx) => ctx.input as z.output<T>) as unknown as z.ZodType<string>;

const jobsQuery = z.object({ state: z.enum(JOB_STATES).default('failed'), ...paginationQuery(20) });
const cleanBody = z.strictObject({ state: z.enum(CLEANABLE), olderThanMs: z.number().int().min(0).max(365 * 86_400_000) });
const auditQuery = z.object(paginationQuery(50));
const queueParams = z.object({ queue: checkedByService(queueNameSchema) });
const jobParams = z.object({ queueName: checkedByService(queueNameSchema), jobId: z.string() });
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>) => ({ ...admin, openapi: { summary, tags: ['admin'], ...rest } });

export interface AdminQueueRoutesDeps {
  readonly queues: QueuesService;
  /** How late a schedule's run may be before it counts as overdue. */
  readonly scheduleGraceMs: number;
}

/** Queue operations for admins (ours, in the contract's style); every change is audited. */
export function adminQueueRoutes(app: Http, deps: AdminQueueRoutesDeps): void {
  const { queues } = deps;
  const adminId = (request: { user: { id: string } | null }) => request.user!.id;

  // Counts and schedules, no job data: MONITORING_TOKEN may read them too (`monitoring`).
  app.get('/api/admin/jobs/queues', { config: { ...doc('Every queue: counts, workers, last hour', { response: queuesBody }), monitoring: true } }, async () => ok(await queues.overview()));

  // MONITORING_TOKEN reads no user (docs/OPERATIONS.md, Monitoring credential): pausedBy is an admin's id.
  app.get('/api/admin/jobs/schedulers', { config: { ...doc('Recurring schedules and their next run', { response: schedulersBody }), monitoring: true } }, async (request) => {
    const schedulers = await queues.schedulers(Date.now(), deps.scheduleGraceMs);
    return ok(request.user ? schedulers : schedulers.map((s) => ({ ...s, pausedBy: null })));
  });

  app.get('/api/admin/jobs/queues/:queue/jobs', { schema: { params: queueParams, querystring: jobsQuery }, config: doc('Jobs of a queue in one state', { response: jobsPageBody }) }, async (request) => {
    const q = request.query;
    const { items, total } = await queues.listJobs(request.params.queue, q.state, q.page, q.pageSize);
    return paginated(items, q.page, q.pageSize, total);
  });

  app.post('/api/admin/jobs/queues/:queue/retry-failed', { schema: { params: queueParams }, config: doc('Retry every failed job of a queue', { response: countBody }) }, async (request) =>
    ok(await queues.retryAllFailed(adminId(request), request.params.queue)));

  app.post('/api/admin/jobs/queues/:queue/promote', { schema: { params: queueParams }, config: doc('Run delayed jobs now (not schedules)', { response: countBody }) }, async (request) =>
    ok(await queues.promoteDelayed(adminId(request), request.params.queue)));

  app.post('/api/admin/jobs/queues/:queue/pause', { schema: { params: queueParams }, config: doc('Pause a queue', { response: pausedBody }) }, async (request) =>
    ok(await queues.setPaused(adminId(request), request.params.queue, true)));

  app.post('/api/admin/jobs/queues/:queue/resume', { schema: { params: queueParams }, config: doc('Resume a queue', { response: pausedBody }) }, async (request) =>
    ok(await queues.setPaused(adminId(request), request.params.queue, false)));

  app.post('/api/admin/jobs/queues/:queue/clean', { schema: { params: queueParams, body: cleanBody }, config: doc('Remove old jobs in one state', { response: removedBody }) }, async (request) =>
    ok(await queues.clean(adminId(request), request.params.queue, request.body.state, request.body.olderThanMs)));

  app.get('/api/admin/jobs/:queueName/:jobId', { schema: { params: jobParams }, config: doc('One job with data, logs and stack', { response: jobDetailBody, errors: { 404: 'Job not found' } }) }, async (request) =>
    ok(await queues.getJob(request.params.queueName, request.params.jobId)));

  app.delete('/api/admin/jobs/:queueName/:jobId', { schema: { params: jobParams }, config: doc('Remove a job (not an active one, nor a schedule\'s next run)', { response: successBody, errors: { 400: 'Cannot remove an active job (or a schedule\'s next run: pause the schedule instead)', 404: 'Job not found' } }) }, async (request) => {
    await queues.remove(adminId(request), request.params.queueName, request.params.jobId);
    return { success: true };
  });

  app.post('/api/admin/jobs/:queueName/:jobId/retry', { schema: { params: jobParams }, config: doc('Retry a failed job', { response: retriedBody, errors: { 400: 'Cannot retry job', 404: 'Job not found' } }) }, async (request) =>
    ok(await queues.retry(adminId(request), request.params.queueName, request.params.jobId)));

  app.get('/api/admin/jobs/audit', { schema: { querystring: auditQuery }, config: doc('Audit log of admin job operations', { response: auditBody }) }, async (request) => {
    const q = request.query;
    const [rows, total] = await queues.auditLog(q.page, q.pageSize);
    return paginated(rows.map((r) => ({
      id: r.id, action: r.action, queue: r.queue, jobId: r.job_id, details: r.details, adminId: r.admin_id, adminEmail: r.admin_email, createdAt: toIso(r.created_at),
    })), q.page, q.pageSize, total);
  });
}
