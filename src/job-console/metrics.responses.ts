import { z } from 'zod';
import { isoTimestamp, okBody, type Same } from '../platform/http/route-doc.js';
import { QUEUE_NAMES } from '../platform/queue/registry.js';
import { ALL_QUEUES, DEFAULT_SPAN_MS, GRANULARITIES, MAX_BUCKETS, resolveRange, type Granularity } from './metrics.rules.js';
import type { MetricsSeries } from './metrics.service.js';

/** Request and response schemas of GET /api/admin/jobs/queues/:queue/metrics. */

/** A queue of the registry, or `all` (every queue together). */
export const metricsQueueSchema = z.enum([...QUEUE_NAMES, ALL_QUEUES]).meta({ id: 'MetricsQueue' });

const instant = z.iso.datetime({ offset: true }).or(z.iso.date())
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v))
  .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date');

const span = (g: Granularity) => `${DEFAULT_SPAN_MS[g] / 3_600_000} h`;
export const METRICS_RANGE_DOC = `from/to: ISO instants or dates (UTC), aligned outward to whole buckets; without to, up to the start of the current bucket (closed buckets only); `
  + `without from, the default span before to (minute ${span('minute')}, hour ${span('hour')}, day ${span('day')}); at most ${MAX_BUCKETS} buckets.`;

/** granularity (default hour), from, to; the range resolved with the clock read at each request. */
export function metricsQuerySchema(clock: () => Date) {
  // Strict, as the job search's: a misspelt parameter (`form=`) is refused, not silently the default range.
  return z.strictObject({
    granularity: z.enum(GRANULARITIES).default('hour'),
    from: instant.optional(),
    to: instant.optional(),
  }).transform((q, ctx) => {
    const range = resolveRange(q, clock());
    if ('path' in range) {
      ctx.addIssue({ code: 'custom', path: [range.path], message: range.message });
      return z.NEVER;
    }
    return { granularity: q.granularity, from: range.from, to: range.to };
  });
}

const percentiles = z.object({ p50: z.number(), p95: z.number(), p99: z.number() })
  .describe('milliseconds, exact (percentile_cont) over the bucket\'s completed and failed jobs; null when none had the value').meta({ id: 'MetricsPercentiles' });

export const metricsBucketSchema = z.object({
  start: isoTimestamp,
  completed: z.number().int(),
  failed: z.number().int(),
  throughput: z.number().describe('jobs finished (completed + failed) per second over the bucket'),
  waitMs: percentiles.nullable().describe('due to started'),
  runMs: percentiles.nullable().describe('started to finished'),
}).meta({ id: 'MetricsBucket' });

export const metricsSeriesBody = okBody(z.object({
  queue: metricsQueueSchema,
  granularity: z.enum(GRANULARITIES),
  from: isoTimestamp.describe('the first bucket\'s start'),
  to: isoTimestamp.describe('the last bucket\'s end'),
  buckets: z.array(metricsBucketSchema).describe('every bucket of [from, to), oldest first; one without jobs is zero with null percentiles'),
}).meta({ id: 'JobMetricsSeries' }));

const _series: Same<z.infer<typeof metricsSeriesBody>['data'], Omit<MetricsSeries, 'queue'> & { queue: z.infer<typeof metricsQueueSchema> }> = true;
void _series;
