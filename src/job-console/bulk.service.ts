import type { Job, Queue } from 'bullmq';
import type { AuditRepository } from '../admin/index.js';
import { InvalidError, NotFoundError } from '../platform/errors.js';
import type { Platform } from '../platform/module.js';
import { markManyOutboxFailed, outboxIdOf, reopenOutboxFailed } from '../platform/queue/outbox.js';
import { failManyJobRows } from '../platform/queue/outbox-fixed.js';
import { isQueueName, type QueueName } from '../platform/queue/registry.js';
import {
  budgetLeft, combination, cursorKey, cutoffOf, decodeCursor, encodeCursor, matches,
  type BulkAction, type BulkCursor, type BulkFilter, type BulkRequestState, type BulkState,
} from './bulk.rules.js';
import { claim, release, scanPage, stillThere, type ScanFrom, type ScannedEntry } from './bulk.scan.js';

export interface BulkServiceDeps extends Pick<Platform, 'db' | 'queues' | 'redis'> {
  readonly audit: Pick<AuditRepository, 'reachable' | 'record'>;
  /** JOB_BULK_PAGE_SIZE: jobs read per page, and at most this many acted on per step. */
  readonly pageSize: number;
  /** Pages a step reads at most (10): what one request costs, however sparse the matches. */
  readonly pagesPerStep?: number;
  readonly now?: () => number;
}

export interface BulkCountInput {
  readonly action: BulkAction;
  readonly state: BulkRequestState;
  readonly filter: BulkFilter;
  /** The answer of the step before, to go on; none for the first step (which fixes asOf). */
  readonly cursor?: string;
  readonly asOf?: string;
}

export interface BulkActInput {
  readonly action: BulkAction;
  readonly state: BulkRequestState;
  readonly filter: BulkFilter;
  readonly asOf: string;
  /** The count the admin confirmed: no more jobs than this are ever acted on. */
  readonly expected: number;
  readonly cursor?: string;
}

export interface BulkSample {
  readonly id: string;
  readonly name: string;
  readonly failedReason: string | null;
  readonly createdAt: string | null;
  readonly finishedAt: string | null;
}

export interface BulkCountResult {
  readonly count: number;
  readonly sample: BulkSample[];
  readonly asOf: string;
  readonly complete: boolean;
  readonly cursor: string | null;
}

export interface BulkActResult {
  readonly acted: number;
  readonly skipped: number;
  readonly total: { readonly acted: number; readonly skipped: number };
  readonly remaining: number;
  readonly done: boolean;
  readonly moreThanExpected: boolean;
  readonly cursor: string | null;
}

const SAMPLE = 5;
/** Jobs acted on at once within a step (each is a few Redis calls). */
const CONCURRENCY = 25;

const iso = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

async function inChunks<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

/**
 * Retry, remove or promote the jobs of one queue in one state that match a filter, as they were
 * at `asOf` (the count's moment), in steps: each request reads at most pagesPerStep pages of
 * pageSize jobs, acts on at most pageSize and answers where to go on. The client loops; nothing
 * is held between requests but the cursor it carries. See docs/OPERATIONS.md, Bulk operations by filter.
 */
export class BulkService {
  private readonly pagesPerStep: number;
  private readonly now: () => number;

  constructor(private readonly deps: BulkServiceDeps) {
    this.pagesPerStep = deps.pagesPerStep ?? 10;
    this.now = deps.now ?? Date.now;
  }

  private checked(queueName: string, action: BulkAction, state: BulkRequestState): { queue: Queue; state: BulkState } {
    if (!isQueueName(queueName)) throw new NotFoundError('Queue not found');
    const taken = combination(action, state);
    if ('error' in taken) throw new InvalidError(taken.error);
    return { queue: this.deps.queues.get(queueName), state: taken.state };
  }

  private cursorOf(token: string | undefined, key: string): BulkCursor {
    if (token === undefined) return { key, id: null, score: null, offset: 0, matched: 0, acted: 0, skipped: 0 };
    const cursor = decodeCursor(token, key);
    if (!cursor) throw new InvalidError('Invalid cursor: it belongs to another queue, state, filter or asOf, or is not one this server gave');
    return cursor;
  }

  /**
   * Pages of the state from the cursor on, with the jobs that match: yields each page's entries
   * (in order) until the step's page budget or the state's end. Failed and completed jobs are
   * read only up to the cutoff (their sorted set's score is finishedOn).
   */
  private async *pages(queue: Queue, state: BulkState, from: ScanFrom, filter: BulkFilter, cutoff: number) {
    let at = from;
    for (let page = 0; page < this.pagesPerStep; page++) {
      const read = await scanPage(this.deps.redis, queue, state, at, this.deps.pageSize, {
        maxScore: state === 'failed' || state === 'completed' ? cutoff : null, withData: filter.data !== undefined,
      });
      yield { jobs: read.jobs.map((job) => ({ job, match: matches(filter, state, cutoff, job) })), ended: read.ended };
      if (read.ended || read.jobs.length === 0) return;
      const last = read.jobs.at(-1)!;
      at = { id: last.id, score: last.score, offset: Math.max(0, last.position) };
    }
  }

  async count(queueName: string, input: BulkCountInput): Promise<BulkCountResult> {
    const { queue, state } = this.checked(queueName, input.action, input.state);
    if (input.cursor !== undefined && input.asOf === undefined) throw new InvalidError('asOf is required with a cursor');
    const asOf = input.asOf !== undefined ? Date.parse(input.asOf) : this.now();
    const key = cursorKey('count', queueName, state, input.filter, asOf);
    const cursor = this.cursorOf(input.cursor, key);
    const cutoff = cutoffOf(asOf, input.filter);
    let count = cursor.matched;
    const sample: BulkSample[] = [];
    let from: ScanFrom = cursor;
    let ended = false;
    for await (const page of this.pages(queue, state, cursor, input.filter, cutoff)) {
      for (const { job, match } of page.jobs) {
        if (!match || (input.action === 'promote' && job.id.startsWith('repeat:'))) continue;
        if (count < SAMPLE) sample.push({ id: job.id, name: job.name, failedReason: job.failedReason, createdAt: iso(job.timestamp), finishedAt: iso(job.finishedOn) });
        count++;
      }
      const last = page.jobs.at(-1);
      if (last) from = { id: last.job.id, score: last.job.score, offset: Math.max(0, last.job.position) };
      ended = page.ended || page.jobs.length === 0;
    }
    return {
      count, sample, asOf: new Date(asOf).toISOString(), complete: ended,
      cursor: ended ? null : encodeCursor({ ...cursor, id: from.id, score: from.score, offset: from.offset, matched: count }),
    };
  }

  async act(adminId: string, queueName: string, input: BulkActInput): Promise<BulkActResult> {
    const { queue, state } = this.checked(queueName, input.action, input.state);
    const asOf = Date.parse(input.asOf);
    if (asOf > this.now()) throw new InvalidError('asOf is in the future: use the asOf a count answered');
    const key = cursorKey(input.action, queueName, state, input.filter, asOf);
    const cursor = this.cursorOf(input.cursor, key);
    const cutoff = cutoffOf(asOf, input.filter);

    // Read: the matches of this step, at most what the budget and a page allow; then act on them.
    const room = Math.min(this.deps.pageSize, budgetLeft(input.expected, cursor.matched));
    const taken: ScannedEntry[] = [];
    let from: ScanFrom = cursor;
    let ended = false;
    let moreThanExpected = false;
    let full = false;
    // The wait list's anchor: the last job this step leaves in place (those it removes are gone).
    let anchor: ScanFrom = cursor;
    scan: for await (const page of this.pages(queue, state, cursor, input.filter, cutoff)) {
      for (const { job, match } of page.jobs) {
        const eligible = match && !(input.action === 'promote' && job.id.startsWith('repeat:'));
        if (eligible && taken.length >= room) {
          // One more match than this step may take: past the budget it is more than was counted.
          if (room === budgetLeft(input.expected, cursor.matched) && cursor.matched + taken.length >= input.expected) moreThanExpected = true;
          full = true;
          break scan;
        }
        from = { id: job.id, score: job.score, offset: Math.max(0, job.position) };
        if (eligible) taken.push(job);
        else anchor = from;
      }
      ended = page.ended || page.jobs.length === 0;
    }

    // With PostgreSQL away the step acts on nothing. (Acting first, it promoted, removed or retried
    // its jobs in Redis and then failed to audit them or to settle a removed job's outbox row, which
    // the relay then added back: an error for a step that happened, unaudited.)
    await this.deps.audit.reachable();
    const outcome = await this.apply(input.action, queueName as QueueName, queue, state, taken);
    const matched = cursor.matched + taken.length;
    const total = { acted: cursor.acted + outcome.acted, skipped: cursor.skipped + outcome.skipped };
    const done = moreThanExpected || (ended && !full);
    const next = state === 'waiting' ? anchor : from;
    await this.deps.audit.record({
      adminId, action: `queue.bulk.${input.action}`, queue: queueName,
      details: { state, filter: input.filter, asOf: new Date(asOf).toISOString(), expected: input.expected, acted: outcome.acted, skipped: outcome.skipped, total, done, moreThanExpected },
    });
    return {
      acted: outcome.acted, skipped: outcome.skipped, total, remaining: done ? 0 : budgetLeft(input.expected, matched), done, moreThanExpected,
      cursor: done ? null : encodeCursor({ key, id: next.id, score: next.score, offset: next.offset, matched, acted: total.acted, skipped: total.skipped }),
    };
  }

  /**
   * Acts on each job once: a claim on the job as seen (two admins at once: one wins), then a
   * check that it is still there as seen, then BullMQ's own move, which checks the state again
   * atomically (retry: still failed; promote: still delayed; remove: not locked by a worker).
   * Whatever moved meanwhile is skipped. Every claim is released once its job is settled.
   */
  private async apply(action: BulkAction, queueName: QueueName, queue: Queue, state: BulkState, jobs: readonly ScannedEntry[]): Promise<{ acted: number; skipped: number }> {
    const claimed: ScannedEntry[] = [];
    await inChunks(jobs, CONCURRENCY, async (job) => {
      if (await claim(this.deps.redis, queue, state, job)) claimed.push(job);
    });
    let acted = 0;
    const removed: string[] = [];
    if (action === 'retry') {
      // As retryAllFailed: the outbox rows of relayed jobs are live work again before the jobs are.
      await reopenOutboxFailed(this.deps.db, claimed.map((j) => outboxIdOf(j.id)).filter((id): id is string => id !== null));
    }
    await inChunks(claimed, CONCURRENCY, async (job) => {
      const done = await this.one(action, queue, state, job).catch(() => false);
      if (done) acted++;
      if (done && action === 'remove') removed.push(job.id);
      // Released either way: a claim only has to outlast the check and the move. Once the job
      // moved, a later step that saw it as it was finds it moved (the checks above), so keeping
      // the key would only hold Redis memory per job acted on, for CLAIM_MS.
      await release(this.deps.redis, queue, state, job);
    });
    if (removed.length) {
      // Removed work is given up: its outbox rows (relayed by outbox id or by a fixed job id) are
      // settled as failed, else the relay would add a removed waiting or delayed job again (its
      // stale check finds it missing from Redis). As a job failed for good: retry-failed skips it.
      const outboxIds = removed.map(outboxIdOf).filter((id): id is string => id !== null);
      await markManyOutboxFailed(this.deps.db, outboxIds);
      await failManyJobRows(this.deps.db, queueName, removed.filter((id) => outboxIdOf(id) === null));
    }
    return { acted, skipped: jobs.length - acted };
  }

  private async one(action: BulkAction, queue: Queue, state: BulkState, seen: ScannedEntry): Promise<boolean> {
    if (action === 'retry') {
      const job: Job | undefined = await queue.getJob(seen.id);
      // Failed again since the scan (retried by hand, run, failed): a failure the admin did not count.
      if (!job || job.finishedOn !== seen.finishedOn) return false;
      await job.retry('failed');
      return true;
    }
    if (!(await stillThere(this.deps.redis, queue, state, seen))) return false;
    // 1 removed; 0 locked (a worker took it meanwhile); -8 a schedule's next run.
    if (action === 'remove') return (await queue.remove(seen.id)) === 1;
    const job: Job | undefined = await queue.getJob(seen.id);
    if (!job || job.repeatJobKey || seen.id.startsWith('repeat:')) return false;
    await job.promote();
    return true;
  }
}
