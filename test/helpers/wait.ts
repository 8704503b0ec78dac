import { waitFor } from '../../src/platform/net.js';
import { sql } from 'kysely';
import type { App } from '../../src/app.js';

export interface FailedOutboxRow {
  id: number;
  queue: string;
  jobName: string;
}

/** Failures already reported per app (row id and failed_at: a retried row that fails again is new). */
const reported = new WeakMap<App, Set<string>>();

/**
 * Until no outbox row is open (each completed, or failed for good); `failed`: the rows that failed
 * for good since the last look at this app (by this or outboxDrained). For tests where a failure
 * is the point: assert on `failed`.
 */
export async function outboxSettled(app: App, timeoutMs = 30_000): Promise<{ drained: boolean; failed: FailedOutboxRow[] }> {
  const db = app.database.db;
  const drained = await waitFor(async () => {
    const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('completed_at', 'is', null).where('failed_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n) === 0;
  }, timeoutMs, 50);
  if (!drained) {
    // Say which rows stayed open: a drain that times out in CI must name its culprit.
    const open = await db.selectFrom('outbox').select(['id', 'queue', 'job_name', 'job_id', 'dedupe_key', 'relayed_at', 'delay_until', 'created_at'])
      .where('completed_at', 'is', null).where('failed_at', 'is', null).orderBy('id').limit(20).execute();
    console.warn(`outbox not drained after ${timeoutMs} ms; open rows:`, JSON.stringify(open));
  }
  const seen = reported.get(app) ?? new Set<string>();
  reported.set(app, seen);
  const rows = await db.selectFrom('outbox').select(['id', 'queue', 'job_name', 'failed_at']).where('failed_at', 'is not', null).orderBy('id').execute();
  const failed = rows.filter((r) => !seen.has(`${r.id}@${r.failed_at!.toISOString()}`));
  for (const r of failed) seen.add(`${r.id}@${r.failed_at!.toISOString()}`);
  return { drained, failed: failed.map((r) => ({ id: r.id, queue: r.queue, jobName: r.job_name })) };
}

/**
 * Until every outbox row is finished, and finished well: a row that failed for good since the last
 * look at this app throws, naming it (a failed job is not drained work). Where a failure is
 * expected, use outboxSettled and assert on its `failed`.
 */
export async function outboxDrained(app: App, timeoutMs = 30_000): Promise<boolean> {
  const { drained, failed } = await outboxSettled(app, timeoutMs);
  if (failed.length) throw new Error(`outbox rows failed for good: ${failed.map((r) => `${r.queue}/${r.jobName} #${r.id}`).join(', ')}`);
  return drained;
}

/** Until a queue has nothing waiting, running or waiting to retry (the next scheduled runs aside). */
export async function queueIdle(app: App, queue: Parameters<App['queues']['get']>[0], timeoutMs = 30_000): Promise<boolean> {
  const q = app.queues.get(queue);
  return waitFor(async () => {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
    const delayed = await q.getJobs(['delayed']);
    return delayed.every((job) => job.id?.startsWith('repeat:'));
  }, timeoutMs, 50);
}

/**
 * Until the database's transaction horizon (herald_xid_horizon, migration 0012) has passed `until`:
 * every transaction begun before that id has ended. Transaction ids are cluster-wide, so another
 * test file's open transaction holds it back too; a test that drives a settling job (a digest
 * flush, a run with DIGEST_SETTLE_MS) by hand waits here first, as the worker's deferral would.
 */
export async function horizonPast(app: App, until: string | undefined, timeoutMs = 30_000): Promise<boolean> {
  if (until === undefined) return true;
  return waitFor(async () => {
    const { rows } = await sql<{ h: string }>`SELECT herald_xid_horizon()::text AS h`.execute(app.database.db);
    return BigInt(rows[0]!.h) >= BigInt(until);
  }, timeoutMs, 20);
}
