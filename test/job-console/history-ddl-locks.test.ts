import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryMaintenance } from '../../src/job-console/history-maintenance.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { waitFor } from '../../src/platform/net.js';
import { JobHistoryWriter } from '../../src/platform/queue/job-history.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Review of issue 19's job history: creating or dropping a partition of job_history takes an
 * ACCESS EXCLUSIVE lock on the parent table. Queued behind any long read of job_history (a search,
 * the daily metrics rollup, an operator's open psql transaction, pg_dump), that request blocks
 * every INSERT of every worker's history writer and every search after it, for as long as the
 * read lasts. The partition DDL must give up after a short lock wait (and try again later)
 * instead: history writes and searches wait at most that long.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(() => t.close());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const db = () => t.app.database.db;
const log = createLogger('silent');
const lockWaiters = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db())).rows[0]!.n);
const partitions = async () => (await sql<{ name: string }>`
  SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'job_history'::regclass`.execute(db())).rows.map((r) => r.name);
const row = (jobId: string, at: number) => ({
  queue: 'job-console', job_id: jobId, name: 'JobHistoryMaintain', state: 'completed' as const, data: null, return_summary: null, failed_reason: null,
  stacktrace: null, attempts: 1, created_at: new Date(at).toISOString(), processed_at: null, finished_at: new Date(at).toISOString(),
  wait_ms: null, run_ms: null, worker: null, schedule_id: null, search_text: jobId,
});
const written = async (jobId: string) => (await db().selectFrom('job_history').select('job_id').where('job_id', '=', jobId).execute()).length;

/** A long read of job_history: its ACCESS SHARE lock held until `release`. */
async function longRead() {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT count(*) FROM job_history');
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

describe('partition DDL behind a long read of job_history', () => {
  it('maintenance gives up on a busy partition (the job is retried) instead of stalling every history write behind it', async () => {
    const now = Date.now();
    const old = now - 40 * DAY;
    await sql`SELECT job_history_ensure_partition(${iso(old)}::date)`.execute(db());
    // Today and the days ahead exist (as yesterday's run left them): only the drop needs a lock.
    for (let i = 0; i <= 3; i++) await sql`SELECT job_history_ensure_partition(${iso(now + i * DAY)}::date)`.execute(db());
    const writer = new JobHistoryWriter({ db: db(), log, flushMs: 60_000, batch: 100, bufferMax: 1_000, dataMaxBytes: 1_024 });
    const release = await longRead();
    let maintained: Promise<unknown> | undefined;
    try {
      maintained = new HistoryMaintenance({ db: db(), log, days: 30, lockTimeoutMs: 300 }).maintain(new Date(now)).then(() => 'done', (err: Error) => err);
      // The DROP is queued behind the read.
      expect(await waitFor(async () => (await lockWaiters()) >= 1, 10_000, 10)).toBe(true);
      // A worker's history write meanwhile: it lands while the long read still runs.
      writer.push(row('during-long-read', now));
      const flushed = writer.flush();
      expect(await waitFor(async () => (await written('during-long-read')) === 1, 10_000, 20)).toBe(true);
      await flushed;
      // The run says which partition it could not drop (a failed run is retried with backoff).
      const outcome = await maintained;
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toContain(`job_history_p${iso(old).replaceAll('-', '')}`);
      expect(await partitions()).toContain(`job_history_p${iso(old).replaceAll('-', '')}`);
    } finally {
      await release();
      await maintained;
      await writer.close();
    }
    // Once the read is over, the next run drops it.
    expect((await new HistoryMaintenance({ db: db(), log, days: 30, lockTimeoutMs: 300 }).maintain(new Date(now))).dropped).toEqual([iso(old).replaceAll('-', '')]);
  });

  it('the writer making a missing day gives up after a short wait, keeps the rows and writes them later', async () => {
    const day = Date.UTC(2031, 2, 3, 12);
    const writer = new JobHistoryWriter({ db: db(), log, flushMs: 60_000, batch: 100, bufferMax: 1_000, dataMaxBytes: 1_024, ddlLockTimeoutMs: 300 });
    const release = await longRead();
    let released = false;
    try {
      writer.push(row('missing-day', day));
      // Its CREATE … PARTITION OF waits behind the read, then gives up: flush() is over while the read runs.
      let flushed = false;
      const flushing = writer.flush().then(() => {
        flushed = true;
      });
      expect(await waitFor(async () => flushed, 10_000, 20)).toBe(true);
      await flushing;
      expect(writer.pending).toBe(1);
      expect(await partitions()).not.toContain('job_history_p20310303');
      await release();
      released = true;
      await writer.flush();
      expect(await written('missing-day')).toBe(1);
    } finally {
      if (!released) await release();
      await writer.close();
    }
  });
});
