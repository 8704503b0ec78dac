import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import { jobAccepted } from '../platform/http/route-doc.js';
import { parseBody } from '../platform/http/validation.js';
import type { Queues } from '../platform/queue/queues.js';

const runBody = z.strictObject({
  frequency: z.enum(['DAILY', 'WEEKLY']),
  at: z.iso.datetime({ offset: true }).optional(),
});

export function digestRoutes(app: FastifyInstance, queues: Queues): void {
  /** Runs a digest now, as if the clock read `at`, for every user of that frequency (any time zone). */
  app.post('/api/admin/jobs/digests/run', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Run a digest now, as if the clock read `at`', tags: ['admin', 'notifications'], body: runBody, response: jobAccepted, status: 202,
  } } }, async (request, reply) => {
    const body = parseBody(runBody, request.body);
    const at = new Date(body.at ?? Date.now());
    // Deterministic: a double click (or two admins) for the same instant starts one run.
    const jobId = `digest-run-${body.frequency}-${at.toISOString().replace(/[:.]/g, '')}`;
    await queues.add('notification-digest', 'DigestRun', { frequency: body.frequency, scope: 'all', at: at.toISOString(), trigger: 'manual' }, { jobId });
    return reply.status(202).send(ok({ jobId }));
  });
}
