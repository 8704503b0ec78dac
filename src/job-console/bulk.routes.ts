import { z } from 'zod';
import { ok } from '../platform/http/reply.js';
import { isStorableText, STORABLE_MESSAGE } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import { QUEUE_NAMES } from '../platform/queue/registry.js';
import type { Same } from '../platform/http/route-doc.js';
import { BULK_ACTIONS, BULK_REQUEST_STATES, CURSOR_MAX, FILTER_TEXT_MAX, type BulkFilter } from './bulk.rules.js';
import { bulkActBody, bulkCountBody } from './bulk.responses.js';
import type { BulkService } from './bulk.service.js';

export interface BulkRoutesDeps {
  readonly bulk: Pick<BulkService, 'count' | 'act'>;
}

/** Documented as the queue enum, checked by the service: an unknown queue answers 404 'Queue not found', as the other queue routes. */
const queueSchema = z.enum(QUEUE_NAMES);
const queueParams = z.object({ queue: queueSchema.catch((ctx) => ctx.input as z.output<typeof queueSchema>) as unknown as z.ZodType<string> });

/**
 * Text PostgreSQL can store: a step's audit entry holds its filter as jsonb. Refused up front: else
 * the count matched such a job, the step acted on it in Redis and only then failed on its audit
 * entry (a 400 for a step that happened).
 */
const text = z.string().min(1).max(FILTER_TEXT_MAX).refine(isStorableText, STORABLE_MESSAGE);
/** Plain text only: a `regex` (or any other) key is a 400, never read as a pattern. */
const bulkFilterSchema = z.strictObject({
  reason: text.optional().describe('case-insensitive part of the failure reason (plain text, not a pattern)'),
  name: text.optional().describe('the job name, exactly'),
  data: text.optional().describe("case-insensitive part of the job's data as JSON"),
  olderThanMs: z.number().int().min(0).max(365 * 86_400_000).optional()
    .describe('only jobs finished (failed, completed) or created (other states) at least this long before asOf'),
}).meta({ id: 'BulkFilter' });
const _filter: Same<z.output<typeof bulkFilterSchema>, BulkFilter> = true;
void _filter;

const common = {
  action: z.enum(BULK_ACTIONS).describe('retry: failed jobs; promote: delayed jobs (never a schedule\'s next run); remove: any state but active and waiting-children'),
  state: z.enum(BULK_REQUEST_STATES),
  filter: bulkFilterSchema.default({}),
  cursor: z.string().min(1).max(CURSOR_MAX).optional().describe('the previous step\'s cursor, to go on'),
};
const countBody = z.strictObject({ ...common, asOf: z.iso.datetime({ offset: true }).optional().describe('with a cursor: the first step\'s asOf') });
const actBody = z.strictObject({
  ...common,
  asOf: z.iso.datetime({ offset: true }).describe('the count\'s asOf: only jobs that matched then are taken'),
  expected: z.number().int().min(1).max(100_000_000).describe('the count the admin confirmed: never more jobs than this'),
});

const doc = (summary: string, description: string, response: z.ZodType) => ({
  access: 'admin', rateLimit: 'admin.jobs',
  openapi: { summary, description, tags: ['admin'], response, errors: { 400: 'Cannot retry delayed jobs: retry takes failed jobs only', 404: 'Queue not found' } },
} as const);

/** Bulk operations by filter: count, then act in steps (docs/OPERATIONS.md, Bulk operations by filter). */
export function bulkRoutes(app: Http, deps: BulkRoutesDeps): void {
  const adminId = (request: { user: { id: string } | null }) => request.user!.id;

  app.post('/api/admin/jobs/queues/:queue/bulk/count', {
    schema: { params: queueParams, body: countBody },
    config: doc('Count the jobs of a queue in one state that match a filter', 'Reads at most 10 pages of JOB_BULK_PAGE_SIZE jobs per request; while `complete` is false, send `cursor` and `asOf` back for the rest. Nothing changes.', bulkCountBody),
  }, async (request) => ok(await deps.bulk.count(request.params.queue, request.body)));

  app.post('/api/admin/jobs/queues/:queue/bulk', {
    schema: { params: queueParams, body: actBody },
    config: doc('Retry, remove or promote the jobs a count matched, one step at a time',
      'Takes only jobs that matched at `asOf` (failed or completed ones finished by then, others created by then), at most JOB_BULK_PAGE_SIZE per request and never more than `expected` in all; '
      + 'while `done` is false, send `cursor` back with the same body. Each request is audited (queue.bulk.<action>).', bulkActBody),
  }, async (request) => ok(await deps.bulk.act(adminId(request), request.params.queue, request.body)));
}
