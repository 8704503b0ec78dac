import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import { jobAccepted } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { DigestsService } from './digests.service.js';

const runBody = z.strictObject({
  frequency: z.enum(['DAILY', 'WEEKLY']),
  at: z.iso.datetime({ offset: true }).optional(),
});

export interface DigestRoutesDeps {
  readonly digests: Pick<DigestsService, 'requestRun'>;
}

export function digestRoutes(app: Http, deps: DigestRoutesDeps): void {
  /** Runs a digest now, as if the clock read `at`, for every user of that frequency (any time zone). */
  app.post('/api/admin/jobs/digests/run', { schema: { body: runBody }, config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Run a digest now, as if the clock read `at`', tags: ['admin', 'notifications'], response: jobAccepted, status: 202,
  } } }, async (request, reply) => {
    const { body } = request;
    const jobId = await deps.digests.requestRun(body.frequency, new Date(body.at ?? Date.now()));
    return reply.status(202).send(ok({ jobId }));
  });
}
