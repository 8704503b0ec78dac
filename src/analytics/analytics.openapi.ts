import { z } from 'zod';
import { ingestBodySchema, ingestReplySchema, MAX_EVENTS_PER_REQUEST, MAX_HOURLY_RANGE_DAYS, MAX_RANGE_DAYS, reportSchema, runBodySchema } from './analytics.schemas.js';

/**
 * The OpenAPI 3.1 document of the analytics endpoints, generated from the same zod schemas that
 * validate them (served at GET /api/analytics/openapi.json).
 */

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties: { success: { const: false }, error: { type: 'string' }, details: {} }, required: ['success', 'error'] } } },
});

const rangeParameters = [
  { name: 'startDate', in: 'query', schema: { type: 'string', format: 'date' }, description: 'first day (UTC), default endDate − 29 days' },
  { name: 'endDate', in: 'query', schema: { type: 'string', format: 'date' }, description: `last day (UTC, inclusive), default today; not in the future; at most ${MAX_RANGE_DAYS} days after startDate` },
  { name: 'granularity', in: 'query', schema: { type: 'string', enum: ['hour', 'day', 'week', 'month'], default: 'day' }, description: `series buckets (UTC; ISO weeks); hour covers at most ${MAX_HOURLY_RANGE_DAYS} days` },
];
const limitParameter = { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 }, description: 'length of `top`' };

function report(summary: string, access: string, extra: object[] = []) {
  return {
    get: {
      tags: ['analytics'], summary, description: access,
      parameters: [...rangeParameters, ...extra],
      responses: {
        200: { description: 'figures from the rollups', content: { 'application/json': { schema: jsonSchema(reportSchema) } } },
        400: error('Invalid query parameters (dates out of range)'), 401: error('Unauthorized'), 403: error('not allowed'), 404: error('unknown brand or creator'),
      },
    },
  };
}

export function analyticsOpenApi(): object {
  const now = new Date();
  const subject = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
  const own = 'ADMIN, or the brand/creator itself (until the brands/creators entities land, a brand\'s or creator\'s id is its user id); another\'s figures → 403, an unknown id → 404.';
  return {
    openapi: '3.1.0',
    info: { title: 'herald analytics', version: '1' },
    paths: {
      '/api/analytics/events': {
        post: {
          tags: ['analytics'],
          summary: `Ingest up to ${MAX_EVENTS_PER_REQUEST} events (202 once they are durable in PostgreSQL)`,
          description: 'Any signed-in user, or a server-side producer with the X-Analytics-Key header. All or nothing: one malformed event stores nothing. Events repeating an idempotencyKey (per producer) are ignored.',
          parameters: [{ name: 'X-Analytics-Key', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(ingestBodySchema(now), 'input') } } },
          responses: {
            202: { description: 'stored', content: { 'application/json': { schema: jsonSchema(ingestReplySchema) } } },
            400: error('Invalid request body; details name the event index and field'), 401: error('Unauthorized'),
            413: error(`more than ${MAX_EVENTS_PER_REQUEST} events, or a body over ANALYTICS_BODY_LIMIT_BYTES`), 429: error('rate limited'),
          },
        },
      },
      '/api/analytics/platform/overview': report('Platform figures', 'ADMIN only'),
      '/api/analytics/platform/assets': report('Platform figures with the most viewed assets', 'ADMIN only', [limitParameter]),
      '/api/analytics/platform/projects': report('Platform figures with the most viewed projects', 'ADMIN only', [limitParameter]),
      '/api/analytics/brand/{brandId}': { get: { ...report('A brand\'s figures', own).get, parameters: [subject('brandId'), ...rangeParameters] } },
      '/api/analytics/creator/{creatorId}': { get: { ...report('A creator\'s figures', own).get, parameters: [subject('creatorId'), ...rangeParameters] } },
      '/api/admin/jobs/aggregation/run': {
        post: {
          tags: ['analytics', 'admin'], summary: 'Roll up one period now (ADMIN)',
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(runBodySchema(now), 'input') } } },
          responses: { 202: { description: 'enqueued: { success, data: { jobId } }' }, 400: error('not a period start, not over yet, or older than the raw events kept') },
        },
      },
    },
  };
}
