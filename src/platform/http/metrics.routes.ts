import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import { metricsAuthorized, type Metrics } from '../metrics.js';
import type { Http } from './zod-provider.js';

/** GET /metrics (Prometheus text) and the request-duration histogram behind it. */
export interface MetricsRoutesDeps {
  readonly metrics: Metrics;
  /** METRICS_TOKEN: when set, GET /metrics needs it as a bearer token. */
  readonly token: string | undefined;
}

export function metricsRoutes(app: Http, deps: MetricsRoutesDeps): void {
  const { metrics, token } = deps;
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
