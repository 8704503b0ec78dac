import { sql } from 'kysely';
import type { Executor, Tx } from '../db/client.js';
import type { Queues } from './queues.js';
import type { QueueName } from './registry.js';

/**
 * Outbox rows that name their BullMQ job (a fixed id instead of `outbox-<id>`), delay it, or
 * remove it: the work of one entity that must exist at most once in Redis, such as the delayed
 * publication of a blog post (job id = the post's id).
 *
 * The newest row of a (queue, job id) is the intent; older ones are superseded. Rows of one job id
 * must therefore be written in the order of their intent: under the lock of the entity they are
 * about (its row, FOR UPDATE), so that a higher id is always the later decision.
 *
 * A relayed `add` row stays unfinished until its job is done: the relay re-drives it when Redis
 * loses its data (epoch key) or, once it is due, when its job went missing (stale check). The
 * worker completes the relayed rows of a fixed id when its job succeeds (and fails them when it
 * fails for good); work that must complete them atomically with its own writes (blog publishing)
 * calls `completeJobRows` in its transaction.
 */

export interface FixedRowInput {
  readonly queue: QueueName;
  readonly jobName: string;
  readonly payload: unknown;
  readonly jobId: string | null;
  readonly runAt: Date | null;
  readonly op: 'add' | 'remove';
  readonly priority?: number | null;
  readonly dedupeKey?: string | null;
}

/** Returns the row's id. */
export async function insertFixedRow(tx: Executor, row: FixedRowInput): Promise<number> {
  if (row.jobId !== null && (row.jobId === '' || row.jobId.startsWith('outbox-'))) throw new Error(`invalid fixed job id "${row.jobId}"`);
  const result = await sql<{ id: number }>`INSERT INTO outbox (queue, job_name, payload, priority, dedupe_key, job_id, delay_until, op)
    VALUES (${row.queue}, ${row.jobName}, ${JSON.stringify(row.payload)}::jsonb, ${row.priority ?? null}, ${row.dedupeKey ?? null},
      ${row.jobId}, ${row.runAt}, ${row.op}) RETURNING id`.execute(tx);
  return result.rows[0]!.id;
}

/** Removes the job of that id once the transaction commits (a running job is left to finish). */
export async function removeJobInTx<Q extends QueueName>(tx: Executor, queue: Q, jobId: string): Promise<void> {
  await insertFixedRow(tx, { queue, jobName: '', payload: {}, jobId, runAt: null, op: 'remove' });
}

/**
 * Waits for a relay still committing rows of this job id. The relay adds the job to Redis inside
 * its transaction and commits the rows' relayed_at after: a job due at once can run and finish
 * first, and a statement that began before that commit reads its rows as not relayed (so never
 * completed or failed them: they stayed open for good). Their lock is held until that commit.
 */
async function awaitRelay(db: Executor, queue: QueueName, jobId: string): Promise<void> {
  await sql`SELECT id FROM outbox WHERE queue = ${queue} AND job_id = ${jobId} AND completed_at IS NULL AND relayed_at IS NULL FOR UPDATE`.execute(db);
}

/**
 * The work of a fixed job id is done: its unfinished rows are completed (and never relayed if they
 * were not yet). `relayedOnly`: only the rows already turned into jobs (the job running now was
 * made from them; a row written since is a new intent and stays).
 */
export async function completeJobRows(db: Executor, queue: QueueName, jobId: string, options: { relayedOnly?: boolean } = {}): Promise<number> {
  if (options.relayedOnly) await awaitRelay(db, queue, jobId);
  const result = await sql`UPDATE outbox SET completed_at = now(), relayed_at = coalesce(relayed_at, now())
    WHERE queue = ${queue} AND job_id = ${jobId} AND completed_at IS NULL
    ${options.relayedOnly ? sql`AND relayed_at IS NOT NULL` : sql``}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** The job of a fixed id failed for good: its relayed rows are left for an admin, never re-driven. */
export async function failJobRows(db: Executor, queue: QueueName, jobId: string): Promise<void> {
  await awaitRelay(db, queue, jobId);
  await sql`UPDATE outbox SET failed_at = now()
    WHERE queue = ${queue} AND job_id = ${jobId} AND completed_at IS NULL AND failed_at IS NULL AND relayed_at IS NOT NULL`.execute(db);
}

/**
 * failJobRows for many job ids of one queue (an admin removed their jobs: the relay must not add
 * them again). Ids with no rows cost nothing but the index probe.
 */
export async function failManyJobRows(db: Executor, queue: QueueName, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await sql`SELECT id FROM outbox WHERE queue = ${queue} AND job_id = ANY(${jobIds}::text[]) AND completed_at IS NULL AND relayed_at IS NULL FOR UPDATE`.execute(db);
  await sql`UPDATE outbox SET failed_at = now()
    WHERE queue = ${queue} AND job_id = ANY(${jobIds}::text[]) AND completed_at IS NULL AND failed_at IS NULL AND relayed_at IS NOT NULL`.execute(db);
}

export interface FixedRow {
  id: number;
  queue: QueueName;
  job_name: string;
  payload: unknown;
  priority: number | null;
  dedupe_key: string | null;
  job_id: string;
  delay_until: Date | null;
  op: 'add' | 'remove';
}

const delayOf = (at: Date | null, now: number) => (at ? { delay: Math.max(0, at.getTime() - now) } : {});

/** BullMQ options of a row: its fixed id or `outbox-<id>`, priority, deduplication and delay. */
export function jobOptions(r: { job_id: string | null; priority: number | null; dedupe_key: string | null; delay_until: Date | null }, jobId: string, now: number) {
  return {
    jobId, ...(r.priority ? { priority: r.priority } : {}), ...(r.dedupe_key ? { deduplication: { id: r.dedupe_key } } : {}), ...delayOf(r.delay_until, now),
  };
}

/**
 * Relays claimed rows with a fixed job id; returns the ids of the rows it relayed or superseded.
 * Per job id, under a transaction-scoped advisory lock (relays running side by side take turns):
 * a newer row anywhere supersedes this one; otherwise the job is removed and, for `add`, added
 * again with its new delay. A job that is running cannot be replaced: the row waits for the next
 * round (its handler reads the entity and does only what is still due).
 */
export async function relayFixedRows(tx: Tx, queues: Queues, rows: readonly FixedRow[], now: number): Promise<number[]> {
  const byJob = new Map<string, FixedRow[]>();
  for (const row of rows) byJob.set(`${row.queue}:${row.job_id}`, [...(byJob.get(`${row.queue}:${row.job_id}`) ?? []), row]);
  const done: number[] = [];
  // Sorted, so two relays never wait on each other's locks in opposite orders.
  for (const [key, group] of [...byJob].sort(([a], [b]) => a.localeCompare(b))) {
    const row = group.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`outbox-job:${key}`}, 0))`.execute(tx);
    const newer = await sql`SELECT 1 FROM outbox WHERE queue = ${row.queue} AND job_id = ${row.job_id} AND id > ${row.id} LIMIT 1`.execute(tx);
    const superseded = newer.rows.length > 0;
    if (!superseded) {
      const queue = queues.get(row.queue);
      const removed = await queue.remove(row.job_id);
      if (row.op === 'add') {
        if (removed === 0 && (await queue.getJobState(row.job_id)) === 'active') continue;
        await queue.add(row.job_name, row.payload, jobOptions(row, row.job_id, now));
      }
    }
    // Older rows of the id are superseded; those another relay holds are left to it (it will see this one).
    await sql`UPDATE outbox SET relayed_at = coalesce(relayed_at, now()), completed_at = coalesce(completed_at, now())
      WHERE id IN (SELECT id FROM outbox WHERE queue = ${row.queue} AND job_id = ${row.job_id} AND id < ${row.id} AND completed_at IS NULL FOR UPDATE SKIP LOCKED)`.execute(tx);
    // A removal, or a superseded row, has nothing left to run.
    if (superseded || row.op === 'remove') await sql`UPDATE outbox SET completed_at = coalesce(completed_at, now()) WHERE id = ${row.id}`.execute(tx);
    done.push(...group.map((r) => r.id));
  }
  return done;
}
