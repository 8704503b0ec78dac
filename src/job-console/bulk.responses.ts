import { z } from 'zod';
import { isoTimestamp, okBody, type Same } from '../platform/http/route-doc.js';
import type { BulkActResult, BulkCountResult } from './bulk.service.js';

const cursor = z.string().nullable().describe('null once the scan is over; else send it back with the same parameters to go on');

export const bulkSampleSchema = z.object({
  id: z.string(), name: z.string(), failedReason: z.string().nullable(), createdAt: isoTimestamp.nullable(), finishedAt: isoTimestamp.nullable(),
}).meta({ id: 'BulkSample' });

const bulkCountSchema = z.object({
  count: z.number().int().describe('matches so far (all of them once complete)'),
  sample: z.array(bulkSampleSchema).describe("the first matches in scan order (oldest first; the wait list newest first), up to 5 over all steps: this step's share"),
  asOf: isoTimestamp.describe('the moment the count is of; send it with the bulk operation'),
  complete: z.boolean(),
  cursor,
}).meta({ id: 'BulkCount' });
export const bulkCountBody = okBody(bulkCountSchema);

const bulkActSchema = z.object({
  acted: z.number().int().describe('jobs this step retried, removed or promoted'),
  skipped: z.number().int().describe('matches of this step that moved meanwhile (another admin, a worker, a retry by hand): left alone'),
  total: z.object({ acted: z.number().int(), skipped: z.number().int() }).describe('over every step so far'),
  remaining: z.number().int().describe('of the expected matches, how many the scan has not reached yet'),
  done: z.boolean(),
  moreThanExpected: z.boolean().describe('the scan met a match beyond `expected` and stopped there (left alone)'),
  cursor,
}).meta({ id: 'BulkStep' });
export const bulkActBody = okBody(bulkActSchema);

const _count: Same<z.output<typeof bulkCountSchema>, BulkCountResult> = true;
const _act: Same<z.output<typeof bulkActSchema>, BulkActResult> = true;
void _count;
void _act;
