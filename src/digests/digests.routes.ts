import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import { jobAccepted } from '../platform/http/route-doc.js';
import { parseBody } from '../platform/http/validation.js';
import type { DigestsService } from './digests.service.js';

const runBody = z.strictObject({
  frequency: z.enum(['DAILY', 'WEEKLY']),
  at: z.iso.datetime({ offset: true }).optional(),
});

export function digestRoutes(app: FastifyInstance, digests: DigestsService): void {
  /** Runs a digest now, as if the clock read `at`, for every user of that frequency (any time zone). */
  app.post('/api/admin/jobs/digests/run', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Run a digest now, as if the clock read `at`', tags: ['admin', 'notifications'], body: runBody, response: jobAccepted, status: 202,
  } } }, async (request, reply) => {
    const body = parseBody(runBody, request.body);
    const jobId = await digests.requestRun(body.frequency, new Date(body.at ?? Date.now()));
    return reply.status(202).send(ok({ jobId }));
  });
}
