import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import { metricsAuthorized, type Metrics } from '../metrics.js';
import type { Http } from './zod-provider.js';

/** GET /metrics (this process), GET /metrics/queues (the cluster's queue depths) and the request-duration histogram. */
export interface MetricsRoutesDeps {
  readonly metrics: Metrics;
  /** METRICS_TOKEN and MONITORING_TOKEN: with either set, a scrape needs one of them as a bearer token. */
  readonly tokens: readonly (string | undefined)[];
}

const TOKEN_NOTE = 'Needs `Authorization: Bearer <METRICS_TOKEN or MONITORING_TOKEN>` when either is set.';

export function metricsRoutes(app: Http, deps: MetricsRoutesDeps): void {
  const { metrics, tokens } = deps;
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const text = (summary: string, description: string) => ({ access: 'public' as const, openapi: {
    summary, description: `${description} ${TOKEN_NOTE}`, tags: ['health'],
    contentType: 'text/plain', response: z.string().describe('Prometheus text exposition format'), errors: { 401: 'Unauthorized (METRICS_TOKEN or MONITORING_TOKEN)' },
  } });

  app.get('/metrics', { config: text('Prometheus metrics of this process',
    'This process\'s own series: scrape every process. Queue depths, the same from every process, are at /metrics/queues.') }, async (request, reply) => {
    if (!metricsAuthorized(tokens, request.headers.authorization)) throw new UnauthorizedError();
    return reply.type(metrics.contentType).send(await metrics.render());
  });

  app.get('/metrics/queues', { config: text('Queue depths of the whole cluster (herald_queue_jobs)',
    'The same answer from every process (BullMQ\'s counters in Redis): scrape it once, through the load balancer, not per process.') }, async (request, reply) => {
    if (!metricsAuthorized(tokens, request.headers.authorization)) throw new UnauthorizedError();
    return reply.type(metrics.contentType).send(await metrics.renderQueues());
  });
}
