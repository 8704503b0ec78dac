import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { METRICS_RANGE_DOC, metricsQuerySchema, metricsQueueSchema, metricsSeriesBody } from './metrics.responses.js';
import type { MetricsService } from './metrics.service.js';

export interface MetricsRoutesDeps {
  readonly metrics: Pick<MetricsService, 'series'>;
  /** The clock the default range follows. */
  readonly now: () => number;
}

/**
 * Documented as the queue enum, checked by the service: an unknown queue answers 404 'Queue not
 * found' as the other queue routes do, not a failed params schema's 400.
 */
const queueParams = z.object({ queue: metricsQueueSchema.catch((ctx) => ctx.input as z.output<typeof metricsQueueSchema>) as unknown as z.ZodType<string> });

export function metricsRoutes(app: Http, deps: MetricsRoutesDeps): void {
  const querystring = metricsQuerySchema(() => new Date(deps.now()));
  app.get('/api/admin/jobs/queues/:queue/metrics', {
    schema: { params: queueParams, querystring },
    config: {
      access: 'admin', rateLimit: 'admin.jobs',
      openapi: {
        summary: 'Job metrics of a queue over time (minute, hour or day buckets)', tags: ['admin'], response: metricsSeriesBody,
        description: `Completed, failed, throughput and wait/run time p50/p95/p99 per bucket, rolled up from job history (minute buckets kept JOB_METRICS_MINUTE_HOURS, hourly JOB_METRICS_HOUR_DAYS, daily JOB_METRICS_DAY_MONTHS). queue \`all\`: every queue together. ${METRICS_RANGE_DOC}`,
        errors: { 404: 'Queue not found' },
      },
    },
  }, async (request) => {
    const q = request.query;
    return ok(await deps.metrics.series(request.params.queue, q.granularity, { from: q.from, to: q.to }));
  });
}
