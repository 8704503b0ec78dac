import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { InvalidError, RateLimitedError, UnauthorizedError } from '../platform/errors.js';
import { rateLimitHeaders, type RateLimiter } from '../platform/http/rate-limit.js';
import { ok } from '../platform/http/reply.js';
import { jobAccepted, type RouteDoc } from '../platform/http/route-doc.js';
import { INVALID_BODY, parseBody, parseQuery } from '../platform/http/validation.js';
import type { Queues } from '../platform/queue/queues.js';
import type { AggregationService } from './aggregation.service.js';
import { periodStartOf } from './analytics.periods.js';
import { ingestBodySchema, ingestReplySchema, MAX_EVENTS_PER_REQUEST, MAX_HOURLY_RANGE_DAYS, MAX_RANGE_DAYS, rangeQuerySchema, reportSchema, runBodySchema } from './analytics.schemas.js';
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
  if (deps.config.rateLimits.enabled) {
    const result = await deps.limiter.hit('analytics.ingest', user.id, deps.config.rateLimits.perMinute['analytics.ingest']);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) throw new RateLimitedError({ ...headers, 'retry-after': result.retryAfter });
    void reply.headers(headers);
  }
  return { kind: 'user', userId: user.id, role: user.role };
}

const today = () => periodStartOf('daily', new Date());

// The schemas take the clock; the document shows one built at start-up (only their bounds move).
const RANGE = `startDate/endDate: whole UTC days (default the last 30), at most ${MAX_RANGE_DAYS} days, not in the future; granularity hour covers at most ${MAX_HOURLY_RANGE_DAYS} days; limit: length of \`top\`.`;
const report = (summary: string, access: string): RouteDoc => ({
  summary, description: `${access} ${RANGE}`, tags: ['analytics'], query: rangeQuerySchema(today()), response: reportSchema,
});

export function analyticsRoutes(app: FastifyInstance, deps: AnalyticsRouteDeps): void {
  app.post('/api/analytics/events', { bodyLimit: deps.config.analytics.bodyLimitBytes, config: { access: 'public', openapi: {
    summary: `Ingest up to ${MAX_EVENTS_PER_REQUEST} events (202 once durable)`, tags: ['analytics'], body: ingestBodySchema(new Date()), response: ingestReplySchema, status: 202,
    description: 'Any signed-in user, or a server-side producer with the `X-Analytics-Key` header. All or nothing; events repeating an idempotencyKey (per producer) are ignored. '
      + 'A non-admin user sends interaction events only (no `license_created`, no `props.revenueCents`: 403) about assets, projects, licenses and posts they can see (else 400); '
      + 'their brandId, creatorId and projectId are derived from the named entity, never taken from the body. Keyed producers and admins are trusted as sent. '
      + '`revenueCents` is 0 to 1,000,000,000. Each user may send ANALYTICS_USER_EVENTS_PER_HOUR events per hour (429 past it).',
    errors: { 401: 'Unauthorized', 403: 'Forbidden', 413: 'Request body too large', 429: 'Too many requests. Please try again later.' },
  } } }, async (request, reply) => {
    const producer = await producerOf(request, reply, deps);
    const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
    const result = await deps.ingest.ingest(request.body, producer, { userAgent, ip: normalizeIp(request.ip) });
    return reply.status(202).send(ok(result));
  });

  const admin = (summary: string) => ({ config: { access: 'admin' as const, rateLimit: 'analytics.read' as const, openapi: report(summary, 'ADMIN only.') } });
  app.get('/api/analytics/platform/overview', admin('Platform figures'), async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query))));
  app.get('/api/analytics/platform/assets', admin('Platform figures with the most viewed assets'), async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query), 'asset')));
  app.get('/api/analytics/platform/projects', admin('Platform figures with the most viewed projects'), async (request) =>
    ok(await deps.reports.platformReport(parseQuery(rangeQuerySchema(today()), request.query), 'project')));

  const own = 'ADMIN, or the user the brand or creator profile belongs to (another\'s → 403, unknown → 404).';
  const user = (summary: string) => ({ config: { access: 'user' as const, rateLimit: 'analytics.read' as const, openapi: { ...report(summary, own), errors: { 403: 'Forbidden' } } } });
  app.get<{ Params: { brandId: string } }>('/api/analytics/brand/:brandId', user('A brand\'s figures'), async (request) =>
    ok(await deps.reports.subjectReport(request.user!, 'brand', request.params.brandId, () => parseQuery(rangeQuerySchema(today()), request.query))));
  app.get<{ Params: { creatorId: string } }>('/api/analytics/creator/:creatorId', user('A creator\'s figures'), async (request) =>
    ok(await deps.reports.subjectReport(request.user!, 'creator', request.params.creatorId, () => parseQuery(rangeQuerySchema(today()), request.query))));

  /** Rolls up one period now (any time it has ended): a new job every call, each run logged. */
  app.post('/api/admin/jobs/aggregation/run', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Roll up one period now', description: 'periodStart must start a period of jobType and the period must be over.',
    tags: ['analytics', 'admin'], body: runBodySchema(new Date()), response: jobAccepted, status: 202,
  } } }, async (request, reply) => {
    const body = parseBody(runBodySchema(new Date()), request.body);
    const horizon = deps.aggregation.retentionHorizon();
    if (body.periodStart < horizon) {
      throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: ['periodStart'], message: `raw events before ${horizon.toISOString()} are no longer kept` }]);
    }
    const jobId = await deps.aggregation.requestRun(body.jobType, body.periodStart);
    return reply.status(202).send(ok({ jobId }));
  });
}
