import { z } from 'zod';
import { paginationSchema, type Same } from '../platform/http/route-doc.js';
import { listOf, paginationQuery } from '../platform/http/validation.js';
import { QUEUE_NAMES, type QueueName } from '../platform/queue/registry.js';
import { Q_MAX_CHARS, SEARCH_STATES, timeRange, type JobSearchHit } from './search.rules.js';
import type { JobSearchResult } from './search.service.js';

/** Request and response schemas of GET /api/admin/jobs/search. */

const noNul = (v: string) => !v.includes('\u0000');
const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).refine((v) => !Number.isNaN(Date.parse(v)), 'must be a valid date');

/**
 * q, name, from, to, page and pageSize once each (repeated: 400); queue and state as lists
 * (`queue=a&queue=b` or `queue=a,b`: either), each value known (else 400 naming it).
 */
export const jobSearchQuery = z.strictObject({
  q: z.string().max(Q_MAX_CHARS, `must be at most ${Q_MAX_CHARS} characters`).refine(noNul, 'must not contain NUL characters').optional()
    .describe('a job id (exact, in every queue), a name, words (websearch syntax: "phrase", or, -word) or any text of 3+ characters as a substring'),
  queue: listOf(QUEUE_NAMES as readonly QueueName[] as readonly [QueueName, ...QueueName[]]).describe('one or more queues (repeated or comma-separated)'),
  state: listOf(SEARCH_STATES).describe('one or more states; completed and failed come from history, the others from the live queues'),
  name: z.string().min(1).max(200).refine(noNul, 'must not contain NUL characters').optional().describe('the job name, exactly'),
  from: instant.optional().describe('ISO instant or date (UTC): history by finish time, live jobs by their timestamp'),
  to: instant.optional().describe('ISO instant, or a date meaning the end of that day (UTC)'),
  ...paginationQuery(20),
}).refine((v) => {
  const { from, to } = timeRange(v.from, v.to);
  return from === null || to === null || from <= to;
}, { path: ['from'], message: 'must not be after to' });

const ms = z.number().describe('ms since the epoch');

export const jobSearchHitSchema = z.object({
  queue: z.string(), id: z.string(), name: z.string(), state: z.enum(SEARCH_STATES), source: z.enum(['live', 'history']),
  timestamp: ms.describe('when the job was added (live) or due (history: timestamp + delay)'),
  processedOn: ms.nullable(), finishedOn: ms.nullable(), attemptsMade: z.number().int(), failedReason: z.string().nullable(),
  durationMs: z.number().nullable().describe('its last run, start to finish'), worker: z.string().nullable(), scheduleId: z.string().nullable(),
  dataPreview: z.string().nullable().describe('the start of its data as JSON (… when cut)'),
}).meta({ id: 'JobSearchHit' });

const counts = z.record(z.string(), z.number().int());

export const jobSearchBody = z.object({
  success: z.literal(true),
  data: z.array(jobSearchHitSchema),
  pagination: paginationSchema,
  facets: z.object({ queue: counts, state: counts }).describe('counts of the matches counted (see totalExact)'),
  live: z.object({
    scanned: z.number().int().describe('live jobs read for a text match'),
    truncated: z.boolean().describe('some queue held more jobs in a live state than JOB_SEARCH_LIVE_SCAN: older ones were not read'),
  }),
  totalExact: z.boolean().describe('false: more than JOB_SEARCH_COUNT_CAP (2,000) history rows matched (total and facets count the newest that many), or the live scan was truncated'),
}).meta({ id: 'JobSearchPage' });

const _hit: Same<z.output<typeof jobSearchHitSchema>, JobSearchHit> = true;
const _body: Same<Omit<z.output<typeof jobSearchBody>, 'success'>, JobSearchResult> = true;
