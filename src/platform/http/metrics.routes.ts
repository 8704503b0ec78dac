import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import { metricsAuthorized, type Metrics } from '../metrics.js';

/** GET /metrics (Prometheus text) and the request-duration histogram behind it. */
export function metricsRoutes(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { config: { access: 'public', openapi: {
    summary: 'Prometheus metrics', description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.', tags: ['health'],
    contentType: 'text/plain', response: z.string().describe('Prometheus text exposition format'), errors: { 401: 'Unauthorized (METRICS_TOKEN)' },
  } } }, async (request, reply) => {
    if (!metricsAuthorized(token, request.headers.authorization)) throw new UnauthorizedError();
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}
