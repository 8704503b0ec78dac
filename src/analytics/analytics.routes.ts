import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { ForbiddenError, InvalidError, RateLimitedError, UnauthorizedError } from '../platform/errors.js';
import { sameOrigin } from '../platform/http/auth.js';
import { rateLimitHeaders, type RateLimiter } from '../platform/http/rate-limit.js';
import { ok } from '../platform/http/reply.js';
import { INVALID_BODY, parseBody, parseQuery } from '../platform/http/validation.js';
import type { Queues } from '../platform/queue/queues.js';
import type { AggregationService } from './aggregation.service.js';
import { analyticsOpenApi } from './analytics.openapi.js';
import { periodKey, periodStartOf } from './analytics.periods.js';
import { rangeQuerySchema, runBodySchema } from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';
import { normalizeIp } from './enrichment.js';
import type { IngestService, Producer } from './ingest.service.js';

export interface AnalyticsRouteDeps {
  readonly ingest: IngestService;
  readonly reports: AnalyticsService;
  readonly aggregation: AggregationService;
  readonly queues: Queues;
  readonly limiter: RateLimiter;
  readonly config: Config;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The ingestion endpoint is public to the access hook because server-side producers have no
 * session: it checks here for either ANALYTICS_KEY or a signed-in user, with the same CSRF rule
 * and per-user rate limit the hook applies to other routes.
 */
async function producerOf(request: FastifyRequest, reply: FastifyReply, deps: AnalyticsRouteDeps): Promise<Producer> {
  const key = request.headers['x-analytics-key'];
  if (typeof key === 'string') {
    const expected = deps.config.analytics.key;
    if (!expected || !timingSafeEqual(digest(key), digest(expected))) throw new UnauthorizedError();
    return { kind: 'key' };
  }
  const user = request.user;
  if (!user) throw new UnauthorizedError();
  if (request.authVia === 'cookie' && !sameOrigin(request, deps.config.publicUrl)) throw new ForbiddenError('Forbidden: cross-origin request');
  if (deps.config.rateLimits.enabled) {
    const result = await deps.limiter.hit('analytics.ingest', user.id, deps.config.rateLimits.perMinute['analytics.ingest']);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) throw new RateLimitedError({ ...headers, 'retry-after': result.retryAfter });
    void reply.headers(headers);
  }
  return { kind: 'user', userId: user.id };
}

const today = () => periodStartOf('daily', new Date());

export function analyticsRoutes(app: FastifyInstance, deps: AnalyticsRouteDeps): void {
  app.post('/api/analytics/events', { bodyLimit: deps.config.analytics.bodyLimitBytes, config: { access: 'public' } }, async (request, reply) => {
    const producer = await producerOf(request, reply, deps);
    const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
    const result = await deps.ingest.ingest(request.body, producer, { userAgent, ip: normalizeIp(request.ip) });
    return reply.status(202).send(ok(result));
  });

  const admin = { config: { access: 'admin' as const, rateLimit: 'analytics.read' as const } };
  app.get('/api/analytics/platform/overview', admin, async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query))));
  app.get('/api/analytics/platform/assets', admin, async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query), 'asset')));
  app.get('/api/analytics/platform/projects', admin, async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query), 'project')));

  const user = { config: { access: 'user' as const, rateLimit: 'analytics.read' as const } };
  app.get<{ Params: { brandId: string } }>('/api/analytics/brand/:brandId', user, async (request) =>
    ok(await deps.reports.subjectReport(request.user!, 'brand', request.params.brandId, () => parseQuery(rangeQuerySchema(today()), request.query))));
  app.get<{ Params: { creatorId: string } }>('/api/analytics/creator/:creatorId', user, async (request) =>
    ok(await deps.reports.subjectReport(request.user!, 'creator', request.params.creatorId, () => parseQuery(rangeQuerySchema(today()), request.query))));

  app.get('/api/analytics/openapi.json', { config: { access: 'public' } }, async () => analyticsOpenApi());

  /** Rolls up one period now (any time it has ended): a new job every call, each run logged. */
  app.post('/api/admin/jobs/aggregation/run', { config: { access: 'admin', rateLimit: 'admin.jobs' } }, async (request, reply) => {
    const body = parseBody(runBodySchema(new Date()), request.body);
    const horizon = deps.aggregation.retentionHorizon();
    if (body.periodStart < horizon) {
      throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: ['periodStart'], message: `raw events before ${horizon.toISOString()} are no longer kept` }]);
    }
    const jobId = `analytics-run-${periodKey(body.jobType, body.periodStart)}-${Date.now()}`;
    await deps.queues.add('analytics-aggregation', 'AnalyticsAggregate', { jobType: body.jobType, periodStart: body.periodStart.toISOString(), trigger: 'manual' }, { jobId });
    return reply.status(202).send(ok({ jobId }));
  });
}
