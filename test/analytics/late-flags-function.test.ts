import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATE_PASS_KEY } from '../../src/analytics/aggregation.service.js';
import { DAY_MS, dayNumber, HOUR_MS, PERIOD_TYPES, periodEndOf, periodsOverlapping, periodStartOf, type PeriodType } from '../../src/analytics/analytics.periods.js';
import { DAY_LOCK_NS, EventsRepository } from '../../src/analytics/events.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { enqueueStatement } from '../../src/platform/queue/outbox.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// analytics_flag_late_periods (migration 0030; written by an outside review of 59b4678) against the
// statement it replaced (3bdddb7's lateFlagsStatement): the same flags and late passes, evaluated once
// a statement, its plan kept (the generic one, forced), and right when a rollup commits while the
// request waits on the day lock, and when rollups race the requests.

const { escapeLiteral } = pg;
let t: TestApp;
let admin: Session;
const clients: pg.Client[] = [];
beforeAll(async () => {
  // api only: no worker runs the late pass (it would clear the flags under the test).
  t = await createTestApp({}, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await t.close();
});
const db = () => t.app.database.db;
async function direct(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  clients.push(c);
  return c;
}
type P = { type: PeriodType; start: Date };
const enqueue = (flagged: string) => enqueueStatement('analytics-aggregation', 'AnalyticsLatePass', {}, { dedupeKey: LATE_PASS_KEY }, flagged);

/** 3bdddb7's lateFlagsStatement, verbatim. */
function previousStatement(periods: readonly P[]): string {
  const types = periods.map((p) => p.type).join(',');
  const starts = periods.map((p) => p.start.toISOString()).join(',');
  return `WITH touched AS (SELECT * FROM unnest(${escapeLiteral(`{${types}}`)}::text[], ${escapeLiteral(`{${starts}}`)}::timestamptz[]) AS t(period_type, period_start)),
      due AS (
        SELECT p.period_type, p.period_start FROM analytics_rollup_periods p JOIN touched t USING (period_type, period_start)
        WHERE p.rerun_requested_at IS NULL ORDER BY p.period_type, p.period_start FOR UPDATE OF p),
      flagged AS (
        UPDATE analytics_rollup_periods p SET rerun_requested_at = now() FROM due
        WHERE p.period_type = due.period_type AND p.period_start = due.period_start
        RETURNING 1)
      ${enqueue('EXISTS (SELECT 1 FROM flagged)')}`;
}

/** The periods around `at` of every type (what ingestion's periodsOf gives for one hour). */
const around = (at: Date): P[] => PERIOD_TYPES.map((type) => ({ type, start: periodStartOf(type, at) }));
const lateRows = async () => (await sql<{ id: string; created_at: Date }>`SELECT id::text, created_at FROM outbox WHERE job_name = 'AnalyticsLatePass' ORDER BY id`.execute(db())).rows;
const flags = async (ps: readonly P[]) => (await sql<{ k: string; flagged: boolean }>`
  SELECT period_type || ' ' || to_char(period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS k, rerun_requested_at IS NOT NULL AS flagged FROM analytics_rollup_periods
  WHERE (period_type, period_start) IN (SELECT * FROM unnest(${ps.map((p) => p.type)}::text[], ${ps.map((p) => p.start)}::timestamptz[])) ORDER BY 1`.execute(db())).rows;

/** markStarted's statement (rollup.repository.ts) for one period, on `c`: exclusive day locks, then the row. */
async function markStarted(c: pg.Client | pg.Pool, p: P): Promise<void> {
  const end = periodEndOf(p.type, p.start);
  const days = periodsOverlapping('daily', p.start, end).map(dayNumber);
  await c.query(`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at)
      SELECT $1, $2, $3, now() FROM (SELECT count(pg_advisory_xact_lock(${DAY_LOCK_NS}, d)) FROM unnest($4::int[]) d) locks
      ON CONFLICT (period_type, period_start) DO UPDATE SET started_at = now(), rerun_requested_at = NULL`, [p.type, p.start, end, days]);
}

describe('analytics_flag_late_periods against the statement it replaced', () => {
  it('same flags and same late-pass rows over random period states, custom and generic plans, on one connection', async () => {
    const c = await direct();
    const base = new Date(periodStartOf('monthly', new Date()).getTime() - 70 * DAY_MS);
    const candidates: P[] = [];
    for (let h = 0; h < 6; h++) candidates.push({ type: 'hourly', start: new Date(base.getTime() + h * 7 * HOUR_MS) });
    for (let d = 0; d < 3; d++) candidates.push({ type: 'daily', start: periodStartOf('daily', new Date(base.getTime() + d * DAY_MS)) });
    for (let w = 0; w < 2; w++) candidates.push({ type: 'weekly', start: periodStartOf('weekly', new Date(base.getTime() + w * 7 * DAY_MS)) });
    for (let m = 0; m < 2; m++) candidates.push({ type: 'monthly', start: periodStartOf('monthly', new Date(base.getTime() + m * 31 * DAY_MS)) });
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const run = async (statement: string) => {
      await c.query('BEGIN');
      try {
        await c.query(statement);
        const state = (await c.query(`SELECT period_type, period_start, rerun_requested_at IS NOT NULL AS flagged,
          rerun_requested_at = now() AS now_flagged FROM analytics_rollup_periods ORDER BY 1, 2`)).rows;
        const late = Number((await c.query(`SELECT count(*) FROM outbox WHERE job_name = 'AnalyticsLatePass' AND created_at = now()`)).rows[0].count);
        return { state, late };
      } finally {
        await c.query('ROLLBACK');
      }
    };
    let differences = 0;
    for (let i = 0; i < 60; i++) {
      await c.query(`SET plan_cache_mode = ${i % 3 === 0 ? 'force_generic_plan' : i % 3 === 1 ? 'force_custom_plan' : 'auto'}`);
      await c.query('TRUNCATE analytics_rollup_periods');
      for (const p of candidates) {
        const r = rnd();
        if (r < 0.3) continue;
        await c.query(`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at, rerun_requested_at)
          VALUES ($1, $2, $3, now(), ${r < 0.65 ? 'NULL' : `now() - interval '1 hour'`})`, [p.type, p.start, periodEndOf(p.type, p.start)]);
      }
      const touched = candidates.filter(() => rnd() < 0.5).sort((a, b) => (`${a.type}|${a.start.getTime()}` < `${b.type}|${b.start.getTime()}` ? -1 : 1));
      if (touched.length === 0) continue;
      const before = await run(previousStatement(touched));
      const after = await run(EventsRepository.lateFlagsStatement(touched, enqueue));
      expect(after.late).toBeLessThanOrEqual(1);
      if (JSON.stringify(before) !== JSON.stringify(after)) differences++;
      expect(after, `iteration ${i}`).toEqual(before);
    }
    expect(differences).toBe(0);
  });

  it('is evaluated exactly once a statement, whether it flags or not', async () => {
    const c = await direct();
    await c.query(`SET track_functions = 'pl'`);
    const at = new Date(periodStartOf('hourly', new Date()).getTime() - 40 * DAY_MS + 5 * HOUR_MS);
    const ps = around(at);
    await c.query('TRUNCATE analytics_rollup_periods');
    for (const p of ps) await markStarted(c, p);
    const plan = (await c.query(`EXPLAIN (VERBOSE, COSTS OFF) ${EventsRepository.lateFlagsStatement(ps, enqueue)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('One-Time Filter'); // the function runs once, before any row
    for (const expectFlag of [true, false]) {
      const count = async () => Number((await c.query(`SELECT coalesce(pg_stat_get_xact_function_calls('analytics_flag_late_periods(text[], timestamptz[])'::regprocedure), 0) AS n`)).rows[0].n);
      await c.query('BEGIN');
      const before = await count(); // pending counts of earlier transactions not flushed yet: a delta
      const res = await c.query(EventsRepository.lateFlagsStatement(ps, enqueue));
      const calls = (await count()) - before;
      await c.query('COMMIT');
      expect(calls).toBe(1);
      expect(res.rowCount).toBe(expectFlag ? 1 : 0);
    }
  });
});

describe('the function\'s statement plan', () => {
  it('is the generic one, planned once a connection (auto re-planned every call once the table held years of periods), and right with two years of periods', async () => {
    // Under plan_cache_mode auto, unnest's 10-row guess priced the generic plan out: 11 plans for 10
    // calls over this table (pg_stat_statements, outside review). The setting is the function's own.
    const config = await sql<{ proconfig: string[] | null }>`SELECT proconfig FROM pg_proc WHERE oid = 'analytics_flag_late_periods(text[], timestamptz[])'::regprocedure`.execute(db());
    expect(config.rows[0]!.proconfig).toEqual(['plan_cache_mode=force_generic_plan']);
    const c = await direct();
    await c.query(`INSERT INTO analytics_rollup_periods (period_type, period_start, period_end, started_at)
      SELECT 'hourly', g, g + interval '1 hour', now() FROM generate_series(timestamptz '2023-01-01', '2024-12-31', interval '1 hour') g
      UNION ALL SELECT 'daily', g, g + interval '1 day', now() FROM generate_series(timestamptz '2023-01-01', '2024-12-31', interval '1 day') g
      ON CONFLICT DO NOTHING`);
    await c.query('ANALYZE analytics_rollup_periods');
    const at = new Date(periodStartOf('hourly', new Date()).getTime() - 33 * DAY_MS + 2 * HOUR_MS);
    const ps = around(at);
    for (const p of ps) await markStarted(c, p);
    for (let i = 0; i < 10; i++) {
      await c.query('BEGIN');
      const res = await c.query(EventsRepository.lateFlagsStatement(ps, enqueue));
      expect(res.rowCount).toBe(1);
      expect((await flags(ps)).length).toBe(ps.length);
      await c.query('ROLLBACK');
    }
  });
});

describe('a late request that waited on a rollup\'s day lock', () => {
  for (const keyed of [false, true]) {
    it(`sees the period row that rollup committed while it waited, flags it once and enqueues one pass (${keyed ? 'keyed' : 'unkeyed'})`, async () => {
      const at = new Date(periodStartOf('hourly', new Date()).getTime() - (keyed ? 20 : 21) * DAY_MS + 3 * HOUR_MS + 60_000);
      const ps = around(at);
      await t.app.services.analytics.ingest.events.ensurePartitions([periodStartOf('monthly', at)]);
      const before = await lateRows();
      const rollup = await direct();
      await rollup.query('BEGIN');
      for (const p of ps) await markStarted(rollup, p); // uncommitted: the day locks held exclusively, the rows written
      const asset = randomUUID();
      const body = (i: number) => ({ events: [{ eventType: 'asset_viewed', occurredAt: new Date(at.getTime() + i).toISOString(), assetId: asset, ...(keyed ? { idempotencyKey: `${asset}-${i}` } : {}) }] });
      const requests = [0, 1, 2].map((i) => t.call('POST', '/api/analytics/events', { as: admin, body: body(i) }));
      const waiting = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event = 'advisory'`.execute(db())).rows[0]!.n;
      expect(await waitFor(async () => (await waiting()) === 3, 10_000, 10)).toBe(true);
      await rollup.query('COMMIT');
      const answers = await Promise.all(requests);
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      expect(await flags(ps)).toEqual(ps.map((p) => ({ k: `${p.type} ${p.start.toISOString().slice(0, 13)}`, flagged: true })).sort((a, b) => (a.k < b.k ? -1 : 1)));
      expect((await lateRows()).length - before.length).toBe(1);
    });
  }
});

describe('late requests racing rollups of the same periods', () => {
  it('every flag is written with its late pass, at most one pass a period reset, and a pass for every flag standing', async () => {
    const at = new Date(periodStartOf('hourly', new Date()).getTime() - 15 * DAY_MS + 9 * HOUR_MS);
    const ps = around(at);
    await t.app.services.analytics.ingest.events.ensurePartitions([periodStartOf('monthly', at)]);
    const before = await lateRows();
    const pool = new pg.Pool({ connectionString: t.databaseUrl, max: 4 });
    let resets = 0;
    try {
      for (const p of ps) {
        await markStarted(pool, p);
        resets++;
      }
      let stop = false;
      const rollups = (async () => {
        let i = 0;
        while (!stop) {
          await markStarted(pool, ps[i++ % ps.length]!);
          resets++;
          await new Promise((r) => setTimeout(r, 3));
        }
      })();
      const answers: number[] = [];
      for (let round = 0; round < 6; round++) {
        const batch = await Promise.all(Array.from({ length: 8 }, (_, i) => t.call('POST', '/api/analytics/events', {
          as: admin, body: { events: [{ eventType: 'asset_viewed', occurredAt: new Date(at.getTime() + round * 1000 + i).toISOString(), assetId: randomUUID(), ...(i % 2 ? { idempotencyKey: randomUUID() } : {}) }] },
        })));
        answers.push(...batch.map((a) => a.status));
      }
      stop = true;
      await rollups;
      expect(answers.every((s) => s === 202)).toBe(true);
    } finally {
      await pool.end();
    }
    const late = (await lateRows()).slice(before.length);
    // A pass is enqueued only by a request that turned some flag from NULL, which only a reset (markStarted) makes.
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThanOrEqual(resets);
    // Every flag standing now was written with a pass in the same transaction (created_at = now() of both).
    const standing = await sql<{ rerun_requested_at: Date }>`SELECT rerun_requested_at FROM analytics_rollup_periods
      WHERE rerun_requested_at IS NOT NULL AND (period_type, period_start) IN (SELECT * FROM unnest(${ps.map((p) => p.type)}::text[], ${ps.map((p) => p.start)}::timestamptz[]))`.execute(db());
    for (const s of standing.rows) expect(late.some((l) => l.created_at.getTime() === s.rerun_requested_at.getTime())).toBe(true);
  });
});
