import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  auditBody, countBody, jobDetailBody, jobsPageBody, pausedBody, queueNameSchema, queuesBody, removedBody, retriedBody, schedulersBody,
} from '../docs/admin.responses.js';
import { ok, paginated, toIso } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { paginationQuery, parseBody, parseQuery } from '../platform/http/validation.js';
import { CLEANABLE, JOB_STATES, type QueuesService } from './queues.service.js';

const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
type QueueParams = { Params: { queue: string } };
type JobParams = { Params: { queueName: string; jobId: string } };

const jobsQuery = z.object({ state: z.enum(JOB_STATES).default('failed'), ...paginationQuery(20) });
const cleanBody = z.strictObject({ state: z.enum(CLEANABLE), olderThanMs: z.number().int().min(0).max(365 * 86_400_000) });
const auditQuery = z.object(paginationQuery(50));
const queueParams = z.object({ queue: queueNameSchema });
const jobParams = z.object({ queueName: queueNameSchema, jobId: z.string() });
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>) => ({ ...admin, openapi: { summary, tags: ['admin'], ...rest } });

/** Queue operations for admins (ours, in the contract's style); every change is audited. */
export function adminQueueRoutes(app: FastifyInstance, queues: QueuesService, scheduleGraceMs: number): void {
  const adminId = (request: { user: { id: string } | null }) => request.user!.id;

  app.get('/api/admin/jobs/queues', { config: doc('Every queue: counts, workers, last hour', { response: queuesBody }) }, async () => ok(await queues.overview()));

  app.get('/api/admin/jobs/schedulers', { config: doc('Recurring schedules and their next run', { response: schedulersBody }) }, async () => ok(await queues.schedulers(Date.now(), scheduleGraceMs)));

  app.get<QueueParams>('/api/admin/jobs/queues/:queue/jobs', { config: doc('Jobs of a queue in one state', { params: queueParams, query: jobsQuery, response: jobsPageBody }) }, async (request) => {
    const q = parseQuery(jobsQuery, request.query);
    const { items, total } = await queues.listJobs(request.params.queue, q.state, q.page, q.pageSize);
    return paginated(items, q.page, q.pageSize, total);
  });

  app.post<QueueParams>('/api/admin/jobs/queues/:queue/retry-failed', { config: doc('Retry every failed job of a queue', { params: queueParams, response: countBody }) }, async (request) =>
    ok(await queues.retryAllFailed(adminId(request), request.params.queue)));

  app.post<QueueParams>('/api/admin/jobs/queues/:queue/promote', { config: doc('Run delayed jobs now (not schedules)', { params: queueParams, response: countBody }) }, async (request) =>
    ok(await queues.promoteDelayed(adminId(request), request.params.queue)));

  app.post<QueueParams>('/api/admin/jobs/queues/:queue/pause', { config: doc('Pause a queue', { params: queueParams, response: pausedBody }) }, async (request) =>
    ok(await queues.setPaused(adminId(request), request.params.queue, true)));

  app.post<QueueParams>('/api/admin/jobs/queues/:queue/resume', { config: doc('Resume a queue', { params: queueParams, response: pausedBody }) }, async (request) =>
    ok(await queues.setPaused(adminId(request), request.params.queue, false)));

  app.post<QueueParams>('/api/admin/jobs/queues/:queue/clean', { config: doc('Remove old jobs in one state', { params: queueParams, body: cleanBody, response: removedBody }) }, async (request) => {
    const body = parseBody(cleanBody, request.body);
    return ok(await queues.clean(adminId(request), request.params.queue, body.state, body.olderThanMs));
  });

  app.get<JobParams>('/api/admin/jobs/:queueName/:jobId', { config: doc('One job with data, logs and stack', { params: jobParams, response: jobDetailBody, errors: { 404: 'Job not found' } }) }, async (request) =>
    ok(await queues.getJob(request.params.queueName, request.params.jobId)));

  app.delete<JobParams>('/api/admin/jobs/:queueName/:jobId', { config: doc('Remove a job (not an active one)', { params: jobParams, response: successBody, errors: { 400: 'Cannot remove an active job', 404: 'Job not found' } }) }, async (request) => {
    await queues.remove(adminId(request), request.params.queueName, request.params.jobId);
    return { success: true };
  });

  app.post<JobParams>('/api/admin/jobs/:queueName/:jobId/retry', { config: doc('Retry a failed job', { params: jobParams, response: retriedBody, errors: { 400: 'Cannot retry job', 404: 'Job not found' } }) }, async (request) =>
    ok(await queues.retry(adminId(request), request.params.queueName, request.params.jobId)));

  app.get('/api/admin/jobs/audit', { config: doc('Audit log of admin job operations', { query: auditQuery, response: auditBody }) }, async (request) => {
    const q = parseQuery(auditQuery, request.query);
    const [rows, total] = await queues.auditLog(q.page, q.pageSize);
    return paginated(rows.map((r) => ({
      id: r.id, action: r.action, queue: r.queue, jobId: r.job_id, details: r.details, adminId: r.admin_id, adminEmail: r.admin_email, createdAt: toIso(r.created_at),
    })), q.page, q.pageSize, total);
  });
}
