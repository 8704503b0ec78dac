import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { RateLimitedError, UnauthorizedError } from '../platform/errors.js';
import { rateLimitHeaders, type RateLimiter } from '../platform/http/rate-limit.js';
import { ok } from '../platform/http/reply.js';
import { jobAccepted, type RouteDoc } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { Queues } from '../platform/queue/queues.js';
import type { AggregationService } from './aggregation.service.js';
import { periodStartOf } from './analytics.periods.js';
import { ingestBodySchema, ingestReplySchema, MAX_EVENTS_PER_REQUEST, MAX_HOURLY_RANGE_DAYS, MAX_RANGE_DAYS, rangeQuerySchema, reportSchema, runBodySchema } from './analytics.schemas.js';
import type { AnalyticsService, SubjectLevel } from './analytics.service.js';
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

// Brand and creator ids are opaque to clients (a malformed one is a 404 from the access rule).
const subjectId = (request: FastifyRequest, level: SubjectLevel) => (request.params as Record<string, string>)[`${level}Id`]!;

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

// The schemas read the clock at each request (their bounds move with it; the document shows none).
const rangeQuery = rangeQuerySchema(() => periodStartOf('daily', new Date()));
const runBody = runBodySchema(() => new Date());

const RANGE = `startDate/endDate: whole UTC days (default the last 30), at most ${MAX_RANGE_DAYS} days, not in the future; granularity hour covers at most ${MAX_HOURLY_RANGE_DAYS} days; limit: length of \`top\`.`;
const report = (summary: string, access: string): RouteDoc => ({
  summary, description: `${access} ${RANGE}`, tags: ['analytics'], response: reportSchema,
});

export function analyticsRoutes(app: Http, deps: AnalyticsRouteDeps): void {
  // The body is validated by IngestService, after the producer is known (401 first) and the event
  // count checked (413 first), and for in-process producers too: the document states it here.
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

  const admin = (summary: string) => ({ schema: { querystring: rangeQuery }, config: { access: 'admin' as const, rateLimit: 'analytics.read' as const, openapi: report(summary, 'ADMIN only.') } });
  app.get('/api/analytics/platform/overview', admin('Platform figures'), async (request) =>
    ok(await deps.reports.platformReport(request.query)));
  app.get('/api/analytics/platform/assets', admin('Platform figures with the most viewed assets'), async (request) =>
    ok(await deps.reports.platformReport(request.query, 'asset')));
  app.get('/api/analytics/platform/projects', admin('Platform figures with the most viewed projects'), async (request) =>
    ok(await deps.reports.platformReport(request.query, 'project')));

  // The access rule answers before the query is validated (preValidation): another's figures are
  // a 403 and an unknown id a 404 whatever the query says.
  const own = 'ADMIN, or the user the brand or creator profile belongs to (another\'s → 403, unknown → 404).';
  const subject = (level: SubjectLevel, summary: string) => ({
    schema: { querystring: rangeQuery },
    preValidation: async (request: FastifyRequest) => deps.reports.assertSubjectAccess(request.user!, level, subjectId(request, level)),
    config: { access: 'user' as const, rateLimit: 'analytics.read' as const, openapi: { ...report(summary, own), errors: { 403: 'Forbidden' } } },
  });
  app.get('/api/analytics/brand/:brandId', subject('brand', 'A brand\'s figures'), async (request) =>
    ok(await deps.reports.subjectReport('brand', subjectId(request, 'brand'), request.query)));
  app.get('/api/analytics/creator/:creatorId', subject('creator', 'A creator\'s figures'), async (request) =>
    ok(await deps.reports.subjectReport('creator', subjectId(request, 'creator'), request.query)));

  /** Rolls up one period now (any time it has ended): a new job every call, each run logged. */
  app.post('/api/admin/jobs/aggregation/run', { schema: { body: runBody }, config: { access: 'admin', rateLimit: 'admin.jobs', openapi: {
    summary: 'Roll up one period now', description: 'periodStart must start a period of jobType and the period must be over.',
    tags: ['analytics', 'admin'], response: jobAccepted, status: 202,
  } } }, async (request, reply) => {
    const jobId = await deps.aggregation.requestRun(request.body.jobType, request.body.periodStart);
    return reply.status(202).send(ok({ jobId }));
  });
}
