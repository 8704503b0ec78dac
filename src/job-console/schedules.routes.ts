import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import type { RouteDoc } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import { scheduleControlBody, scheduleRunNowBody, scheduleRunsBody } from './schedules.responses.js';
import { RUN_NOT_QUEUED, SCHEDULE_NOT_CHANGED, type SchedulesService } from './schedules.service.js';

export interface SchedulesRoutesDeps {
  readonly schedules: SchedulesService;
}

const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>) =>
  ({ ...admin, openapi: { summary, tags: ['admin'], ...rest, errors: { 404: 'Schedule not found', ...rest.errors } } });
/** Pause and resume wait for Redis a bounded time (schedules.service.ts). */
const redisDown = { 503: SCHEDULE_NOT_CHANGED };
/** A schedule's id (SCHEDULES); an unknown one answers 404 from the service. */
const params = z.object({ id: z.string().max(200) });

/** Schedule control (issue 19): pause, resume, run now, the last runs. Every change audited. */
export function schedulesRoutes(app: Http, deps: SchedulesRoutesDeps): void {
  const { schedules } = deps;
  const adminId = (request: { user: { id: string } | null }) => request.user!.id;

  app.post('/api/admin/jobs/schedulers/:id/pause', { schema: { params }, config: doc('Pause a schedule: its scheduler is removed until resumed (idempotent)', { response: scheduleControlBody, errors: redisDown }) }, async (request) =>
    ok(await schedules.pause(adminId(request), request.params.id)));

  app.post('/api/admin/jobs/schedulers/:id/resume', { schema: { params }, config: doc('Resume a schedule: next run from now, skipped runs not made up (idempotent)', { response: scheduleControlBody, errors: redisDown }) }, async (request) =>
    ok(await schedules.resume(adminId(request), request.params.id)));

  app.post('/api/admin/jobs/schedulers/:id/run', { schema: { params }, config: doc('Run a schedule once now, paused or not (one waiting run at most)', { response: scheduleRunNowBody, status: 202, errors: { 503: RUN_NOT_QUEUED } }) }, async (request, reply) =>
    reply.status(202).send(ok(await schedules.runNow(adminId(request), request.params.id))));

  app.get('/api/admin/jobs/schedulers/:id/runs', { schema: { params }, config: doc('The last 20 runs of a schedule, newest first (live ones first)', { response: scheduleRunsBody }) }, async (request) =>
    ok(await schedules.runs(request.params.id)));
}
