import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayNumber, HOUR_MS } from '../../src/analytics/analytics.periods.js';
import { DAY_LOCK_NS } from '../../src/analytics/events.repository.js';
import { copyAndCommit, copyTransaction } from '../../src/platform/db/copy.js';
import { waitFor } from '../../src/platform/net.js';
import { ingestionApp } from './helpers.js';

// Ingestion ends its transaction in one round trip (issue 21): the COPY, the late flags, the
// enrichment job and COMMIT as one simple query with the COPY's data written behind it before
// PostgreSQL asked for it (copyAndCommit). A failure anywhere in it must store nothing and leave
// the connection in step (the data sent ahead is dropped, never read as SQL), and the late flags
// must still see a rollup that started while the request waited for its day lock.

const app = ingestionApp();
const { db, post } = app;

// One connection, so every check after a failure runs on the connection that failed.
let single: pg.Pool;
beforeAll(() => {
  single = new pg.Pool({ connectionString: app.t.databaseUrl, max: 1 });
});
afterAll(async () => {
  await single.end();
});

const keysLike = async (prefix: string) => (await db().selectFrom('analytics_event_keys').select('key')
  .where('key', 'like', `${prefix}%`).orderBy('key').execute()).map((r) => r.key);

/** The one connection answers outside a transaction, and a COPY after it works. */
async function inStep(prefix: string): Promise<void> {
  const client = await single.connect();
  try {
    expect((await client.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open')).rows[0]!.open).toBe(false);
    expect(client.getTransactionStatus()).toBe('I');
  } finally {
    client.release();
  }
  expect(await copyTransaction(single, (_tx, client) => copyAndCommit(client, 'COPY analytics_event_keys (key) FROM STDIN', `${prefix}-after\n`))).toBe(1);
  expect(await keysLike(prefix)).toEqual([`${prefix}-after`]);
}

const lockWaiters = async (like: string) => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ${like}`.execute(db())).rows[0]!.n);

describe('copyAndCommit: COPY, statements and COMMIT in one round trip', () => {
  it('stores the rows and runs the statements after them, and copyTransaction sends no second COMMIT', async () => {
    const prefix = randomUUID();
    const notices: string[] = [];
    const copied = await copyTransaction(single, (_tx, client) => {
      client.on('notice', (n) => notices.push(n.message ?? ''));
      return copyAndCommit(client, 'COPY analytics_event_keys (key) FROM STDIN', `${prefix}-1\n${prefix}-2\n`, [
        `INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-3')`,
      ]);
    });
    expect(copied).toBe(2);
    expect(await keysLike(prefix)).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    // A COMMIT outside a transaction would have warned "there is no transaction in progress".
    expect(notices).toEqual([]);
    const client = await single.connect();
    client.removeAllListeners('notice');
    client.release();
  });

  it('a COPY that fails before its CopyIn: the data sent behind it is dropped, nothing is stored, the connection is in step', async () => {
    const prefix = randomUUID();
    // Data that would be SQL if the server read it as a query.
    const data = `${prefix}-x\n;INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-injected');\n`;
    await expect(copyTransaction(single, async (_tx, client) => {
      await client.query(`INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-before')`);
      return copyAndCommit(client, 'COPY analytics_event_keys (no_such_column) FROM STDIN', data, [`INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-later')`]);
    })).rejects.toThrow(/no_such_column/);
    expect(await keysLike(prefix)).toEqual([]);
    await inStep(prefix);
  });

  it('a row that fails in the COPY, a statement after it, or a NUL in one: nothing of the transaction is stored, the connection is in step', async () => {
    const prefix = randomUUID();
    await expect(copyTransaction(single, (_tx, client) => copyAndCommit(client, 'COPY analytics_event_keys (key, created_at) FROM STDIN',
      `${prefix}-1\t2026-01-01T00:00:00Z\n${prefix}-2\tnot a time\n`, [`INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-later')`]))).rejects.toThrow(/not a time/);
    await expect(copyTransaction(single, (_tx, client) => copyAndCommit(client, 'COPY analytics_event_keys (key) FROM STDIN',
      `${prefix}-3\n`, ['SELECT 1 / 0', `INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-later')`]))).rejects.toThrow(/division by zero/);
    // A NUL would end the Query message's text early: refused before anything is sent.
    await expect(copyTransaction(single, (_tx, client) => copyAndCommit(client, 'COPY analytics_event_keys (key) FROM STDIN',
      `${prefix}-4\n`, [`INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-nul\u0000')`]))).rejects.toThrow(/NUL/);
    expect(await keysLike(prefix)).toEqual([]);
    await inStep(prefix);
  });
});

describe('ingestion\'s last round trip', () => {
  it('a request cut off in it answers 503 and stores nothing, and the next request is stored', { timeout: 30_000 }, async () => {
    // A rolled-up period of this hour whose row another transaction holds: the request's late
    // flags, after the COPY in its one round trip, wait for it, and the test ends its connection there.
    const hour = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
    await sql`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at, completed_at)
      VALUES ('hourly', ${hour}, ${new Date(hour.getTime() + HOUR_MS)}, now(), now()) ON CONFLICT (period_type, period_start) DO UPDATE SET rerun_requested_at = NULL`.execute(db());
    const asset = randomUUID();
    const events = [{ eventType: 'asset_viewed', assetId: asset }, { eventType: 'asset_downloaded', assetId: asset }];
    const holder = new pg.Client({ connectionString: app.t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM analytics_rollup_periods WHERE period_type = 'hourly' AND period_start = $1 FOR UPDATE`, [hour]);
      const cut = post(events);
      expect(await waitFor(async () => (await lockWaiters('%COPY analytics_events%')) === 1, 10_000, 10)).toBe(true);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%COPY analytics_events%'`.execute(db());
      const res = await cut;
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ success: false, error: 'Service unavailable' });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const stored = () => db().selectFrom('analytics_events').select('event_type').where('asset_id', '=', asset).orderBy('event_type').execute();
    expect(await stored()).toEqual([]);
    const again = await post(events);
    expect(again.status).toBe(202);
    expect(await stored()).toEqual([{ event_type: 'asset_downloaded' }, { event_type: 'asset_viewed' }]);
    const period = await db().selectFrom('analytics_rollup_periods').select('rerun_requested_at').where('period_type', '=', 'hourly').where('period_start', '=', hour).executeTakeFirstOrThrow();
    expect(period.rerun_requested_at).not.toBeNull();
  });

  it('flags the events\' period when a rollup marked it started while the request waited for its day lock', { timeout: 30_000 }, async () => {
    // The race of the day locks: a rollup takes its days' locks exclusively and marks the period
    // started in one statement (RollupRepository.markStarted). A request already waiting for the
    // lock then ingests after the rollup read nothing of it, so it must see the new period row and
    // flag it. Here the rollup's transaction is held open between its lock and its row.
    const hour = new Date(Math.floor((Date.now() - 30 * HOUR_MS) / HOUR_MS) * HOUR_MS);
    await sql`DELETE FROM analytics_rollup_periods WHERE period_start = ${hour}`.execute(db());
    const asset = randomUUID();
    const latePasses = async () => Number((await db().selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('job_name', '=', 'AnalyticsLatePass').executeTakeFirstOrThrow()).n);
    const passesBefore = await latePasses();
    const rollup = new pg.Client({ connectionString: app.t.databaseUrl });
    await rollup.connect();
    let res: Awaited<ReturnType<typeof post>>;
    try {
      await rollup.query('BEGIN');
      await rollup.query('SELECT pg_advisory_xact_lock($1, $2)', [DAY_LOCK_NS, dayNumber(hour)]);
      const request = post([{ eventType: 'asset_viewed', assetId: asset, occurredAt: new Date(hour.getTime() + 60_000).toISOString() }]);
      expect(await waitFor(async () => (await lockWaiters('BEGIN;%')) === 1, 10_000, 10)).toBe(true);
      await rollup.query(`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at) VALUES ('hourly', $1, $2, now())`,
        [hour, new Date(hour.getTime() + HOUR_MS)]);
      await rollup.query('COMMIT');
      res = await request;
    } finally {
      await rollup.end();
    }
    expect(res.status).toBe(202);
    const period = await db().selectFrom('analytics_rollup_periods').select('rerun_requested_at').where('period_type', '=', 'hourly').where('period_start', '=', hour).executeTakeFirstOrThrow();
    expect(period.rerun_requested_at).not.toBeNull();
    expect(await latePasses()).toBe(passesBefore + 1);
  });
});
