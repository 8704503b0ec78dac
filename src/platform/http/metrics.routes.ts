import type { FastifyInstance } from 'fastify';
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

  app.get('/metrics', { config: { access: 'public' } }, async (request, reply) => {
    if (!metricsAuthorized(token, request.headers.authorization)) throw new UnauthorizedError();
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}
