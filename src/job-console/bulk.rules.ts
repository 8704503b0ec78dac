import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Bulk operations by filter (issue 19): the pure part. Which action takes which state, what a
 * filter matches, and the cursor a client hands back to go on where the last step stopped.
 */

export const BULK_ACTIONS = ['retry', 'remove', 'promote'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Every state a request may name; the ones an action cannot take answer 400 with the reason. */
export const BULK_REQUEST_STATES = ['failed', 'completed', 'delayed', 'waiting', 'prioritized', 'active', 'waiting-children'] as const;
export type BulkRequestState = (typeof BULK_REQUEST_STATES)[number];
/** The states a bulk operation reads: BullMQ's sorted sets and its wait list. */
export type BulkState = 'failed' | 'completed' | 'delayed' | 'waiting' | 'prioritized';

const ALLOWED: Readonly<Record<BulkAction, readonly BulkState[]>> = {
  // Completed jobs are not retried in bulk: their side effects (emails) happened, and their outbox
  // rows are done; one such job can still be retried by hand after a look at it.
  retry: ['failed'],
  promote: ['delayed'],
  remove: ['failed', 'completed', 'delayed', 'waiting', 'prioritized'],
};

/** The state, when the action can take jobs of it; else why not, in words. */
export function combination(action: BulkAction, state: BulkRequestState): { state: BulkState } | { error: string } {
  const allowed = ALLOWED[action].find((s) => s === state);
  if (allowed) return { state: allowed };
  if (action === 'retry') return { error: `Cannot retry ${state} jobs: retry takes failed jobs only` };
  if (action === 'promote') return { error: `Cannot promote ${state} jobs: promote takes delayed jobs only` };
  if (state === 'active') return { error: 'Cannot remove active jobs: a worker is running them' };
  return { error: `Cannot remove ${state} jobs: remove takes failed, completed, delayed, waiting or prioritized jobs` };
}

/** Longest text a filter field may hold: matching is a plain substring test, never a pattern. */
export const FILTER_TEXT_MAX = 200;

/**
 * What a job must have to be taken; every field given must hold (validated by bulk.routes.ts's
 * schema). No regular expressions: one crafted pattern could hold the API process for seconds per
 * job. `reason` and `data` are case-insensitive substrings, `name` is the job's name exactly.
 */
export interface BulkFilter {
  readonly reason?: string;
  readonly name?: string;
  readonly data?: string;
  /** Only jobs finished (failed, completed) or created (other states) at least this long before asOf. */
  readonly olderThanMs?: number;
}

/** What the scan reads of a job (its hash fields), enough to decide whether it matches. */
export interface ScannedJob {
  readonly id: string;
  /** Its score in the state's sorted set (finishedOn for failed and completed), or null in the wait list. */
  readonly score: string | null;
  readonly name: string;
  readonly failedReason: string | null;
  /** The data as BullMQ stored it (JSON); read only when the filter asks about data. */
  readonly data: string | null;
  readonly timestamp: number;
  readonly finishedOn: number | null;
  /** A job scheduler's iteration (BullMQ's `rjk`): never promoted or removed by a bulk operation. */
  readonly schedulerIteration: boolean;
}

const includes = (haystack: string | null, needle: string | undefined) =>
  needle === undefined || (haystack !== null && haystack.toLowerCase().includes(needle.toLowerCase()));

/**
 * Whether a job matches at `cutoff` (asOf minus olderThanMs, in ms): a failed or completed job
 * finished by then, a job of another state was created by then. A job that failed again after
 * asOf (retried by hand meanwhile), or arrived after it, is not what the admin counted.
 */
export function matches(filter: BulkFilter, state: BulkState, cutoff: number, job: ScannedJob): boolean {
  const at = state === 'failed' || state === 'completed' ? job.finishedOn : job.timestamp;
  if (at === null || !(at <= cutoff)) return false;
  if (job.schedulerIteration && (state === 'delayed' || state === 'waiting' || state === 'prioritized')) return false;
  if (filter.name !== undefined && job.name !== filter.name) return false;
  return includes(job.failedReason, filter.reason) && includes(job.data, filter.data);
}

export const cutoffOf = (asOf: number, filter: BulkFilter): number => asOf - (filter.olderThanMs ?? 0);

/**
 * Where a scan goes on: after the job `id` at `score` in a sorted set, or after the job `id` in
 * the wait list (`offset`: where it was, a hint). `matched` / `acted` / `skipped` are the totals
 * of the steps so far. `key` ties the cursor to one request's action, state, filter and asOf.
 */
export interface BulkCursor {
  readonly key: string;
  readonly id: string | null;
  readonly score: string | null;
  readonly offset: number;
  readonly matched: number;
  readonly acted: number;
  readonly skipped: number;
}

const cursorSchema = z.strictObject({
  // Scores of BullMQ's sets are whole numbers below 2^53 (finishedOn; delay time × 4096 + n;
  // priority × 2^32 + n), which Redis writes out in full.
  v: z.literal(1), k: z.string().max(64), i: z.string().max(300).nullable(), s: z.string().regex(/^\d{1,16}$/).nullable(),
  o: z.number().int().min(0), n: z.number().int().min(0), a: z.number().int().min(0), x: z.number().int().min(0),
});

export const CURSOR_MAX = 600;

export function encodeCursor(c: BulkCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, k: c.key, i: c.id, s: c.score, o: c.offset, n: c.matched, a: c.acted, x: c.skipped })).toString('base64url');
}

/** The cursor, or null when it is not one this server made for these parameters. */
export function decodeCursor(token: string, key: string): BulkCursor | null {
  if (token.length > CURSOR_MAX) return null;
  let raw: unknown = null;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch { /* not JSON: null, which the schema refuses */ }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success || parsed.data.k !== key) return null;
  const c = parsed.data;
  return { key: c.k, id: c.i, score: c.s, offset: c.o, matched: c.n, acted: c.a, skipped: c.x };
}

/** The fingerprint of what a cursor belongs to: a cursor from another queue, filter or asOf is refused. */
export function cursorKey(kind: 'count' | BulkAction, queue: string, state: BulkState, filter: BulkFilter, asOf: number): string {
  // A field left out is written as null (JSON.stringify's undefined in an array).
  const canonical = JSON.stringify([kind, queue, state, filter.reason, filter.name, filter.data, filter.olderThanMs, asOf]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/**
 * How many of the matches counted at asOf a bulk step may still take: the admin confirmed
 * `expected` jobs, and no more are ever acted on (more can match later than the count: a job
 * created before asOf that only now fails or comes back from a backoff).
 */
export const budgetLeft = (expected: number, matchedSoFar: number): number => Math.max(0, expected - matchedSoFar);
