import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsAggregationJobs } from '../../src/analytics/aggregation.job.js';
import { PartialRunError } from '../../src/analytics/aggregation.service.js';
import { DAY_MS, dayNumber, HOUR_MS, periodEndOf, periodStartOf, shiftPeriod, type PeriodType } from '../../src/analytics/analytics.periods.js';
import { LEVELS } from '../../src/analytics/rollup.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { spawnHerald } from '../helpers/processes.js';
import { REDIS_URL } from '../helpers/env.js';
import { outboxDrained } from '../helpers/wait.js';
import { directFigures, logRows, rollupFigures } from './helpers.js';

let t: TestApp;
let admin: Session;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api', 'worker'] });
  admin = await t.admin();
  viewer = await t.user('VIEWER');
});
afterAll(async () => {
  await t.close();
});

const NOW = new Date();
const aggregation = () => t.app.services.analytics.aggregation;
const ingest = (events: object[], at = NOW) => t.app.services.analytics.ingest.ingest({ events }, { kind: 'user', userId: viewer.user.id, role: 'ADMIN' }, { userAgent: null, ip: null }, at);
const run = (type: PeriodType, start: Date) => aggregation().run({ type, start, trigger: 'manual' }, NOW);
/** The periods of every type around an instant, and a check that their rollups equal the raw events. */
const around = (at: Date) => (['hourly', 'daily', 'weekly', 'monthly'] as const).map((type) => ({ type, start: periodStartOf(type, at) }));
async function expectExact(periods: ReadonlyArray<{ type: PeriodType; start: Date }>) {
  for (const p of periods) {
    for (const level of LEVELS) {
      expect(await rollupFigures(t.app, p.type, level, p.start), `${p.type} ${level}`).toEqual(await directFigures(t.app, level, p.start, periodEndOf(p.type, p.start)));
    }
  }
}
async function failLevels(condition: string) {
  await sql.raw(`CREATE OR REPLACE FUNCTION test_fail_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF ${condition} THEN RAISE EXCEPTION 'level % is broken', NEW.level; END IF; RETURN NEW; END $$;
    CREATE OR REPLACE TRIGGER test_fail_rollup BEFORE INSERT OR UPDATE ON analytics_rollups FOR EACH ROW EXECUTE FUNCTION test_fail_rollup();`).execute(t.app.database.db);
}
const healLevels = () => sql`DROP TRIGGER IF EXISTS test_fail_rollup ON analytics_rollups`.execute(t.app.database.db);

describe('the run log (metrics_aggregation_jobs_log)', () => {
  const HOUR = new Date(periodStartOf('hourly', NOW).getTime() - 30 * DAY_MS - 7 * HOUR_MS);
  // Each test its own period: an event for a period that already ran would (rightly) start a late re-run.
  const event = (hour: Date, extra: object = {}) => ({ eventType: 'asset_viewed', occurredAt: new Date(hour.getTime() + 60_000).toISOString(), assetId: randomUUID(), brandId: randomUUID(), sessionId: 'log-s', ...extra });

  it('records a completed run with counts, duration and memory, listed by the admin endpoint', async () => {
    await ingest([event(HOUR), event(HOUR, { eventType: 'license_created', props: { revenueCents: 500 } })]);
    const result = await run('hourly', HOUR);
    expect(result).toMatchObject({ status: 'COMPLETED', recordsProcessed: 2, recordsCreated: 5, recordsUpdated: 0 });
    const res = await t.call('GET', `/api/admin/jobs/aggregation/logs?jobType=hourly&startDate=${HOUR.toISOString()}&endDate=${new Date(HOUR.getTime() + HOUR_MS).toISOString()}`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toEqual({
      id: result.logId, jobType: 'hourly', periodStartDate: HOUR.toISOString(), periodEndDate: new Date(HOUR.getTime() + HOUR_MS).toISOString(),
      startedAt: expect.any(String), completedAt: expect.any(String), status: 'COMPLETED', recordsProcessed: 2, recordsCreated: 5, recordsUpdated: 0,
      errorsCount: 0, durationSeconds: expect.any(Number), memoryUsedMb: expect.any(Number), errorMessage: null, errorStack: null,
      metadata: { trigger: 'manual', levels: expect.objectContaining({ platform: expect.objectContaining({ scanned: 2, created: 1 }) }) }, createdAt: expect.any(String),
    });
    expect(res.body.data[0].memoryUsedMb).toBeGreaterThan(0);
  });

  it('records PARTIAL when some levels fail: the others are written, the failed ones listed, and the run thrown for BullMQ to retry', async () => {
    const hour = new Date(HOUR.getTime() + DAY_MS);
    await ingest([event(hour), event(hour)]);
    expect((await run('hourly', hour)).status).toBe('COMPLETED');
    await failLevels(`NEW.level = 'brand'`);
    try {
      // Straight into the table: through ingestion it would be a late event, re-run by a worker.
      await sql`INSERT INTO analytics_events (occurred_at, event_type, creator_id, brand_id) VALUES (${new Date(hour.getTime() + 1000)}, 'asset_viewed', ${randomUUID()}, ${randomUUID()})`.execute(t.app.database.db);
      const failed = await run('hourly', hour).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(PartialRunError);
      const row = (await logRows(t.app, 'hourly', hour)).at(-1)!;
      expect(row).toMatchObject({ status: 'PARTIAL', errors_count: 1, records_processed: 3, error_message: expect.stringContaining('1 of 6 levels failed: brand: level brand is broken') });
      expect(row.error_stack).toContain('level brand is broken');
      expect(row.metadata).toMatchObject({ failedLevels: ['brand'], errors: { brand: expect.stringContaining('broken') } });
      // The other levels hold the new figures; the brand level still holds the old ones.
      expect((await rollupFigures(t.app, 'hourly', 'platform', hour))[0]!.events).toBe(3);
      expect((await rollupFigures(t.app, 'hourly', 'creator', hour))).toHaveLength(1);
      expect((await rollupFigures(t.app, 'hourly', 'brand', hour)).reduce((n, f) => n + f.events, 0)).toBe(2);
    } finally {
      await healLevels();
    }
    expect((await run('hourly', hour)).status).toBe('COMPLETED');
    await expectExact([{ type: 'hourly', start: hour }]);
  });

  it('records FAILED with the error when every level fails, and rethrows it', async () => {
    const day = periodStartOf('daily', new Date(HOUR.getTime() + 2 * DAY_MS));
    await ingest([event(day, { projectId: randomUUID(), licenseId: randomUUID(), creatorId: randomUUID() })]);
    await failLevels('true');
    try {
      await expect(run('daily', day)).rejects.toThrow(/is broken/);
    } finally {
      await healLevels();
    }
    const row = (await logRows(t.app, 'daily', day)).at(-1)!;
    expect(row).toMatchObject({ status: 'FAILED', errors_count: 6, error_message: expect.stringContaining('is broken'), completed_at: expect.any(Date) });
    expect(row.error_stack).toMatch(/error|Error/);
    expect(row.duration_seconds).toEqual(expect.any(Number));
  });

  it('closes the period before the scheduled time when run by a scheduler', async () => {
    const due = new Date(HOUR.getTime() + HOUR_MS + 5 * 60_000);
    await analyticsAggregationJobs({ aggregation: aggregation() }).AnalyticsAggregate({ jobType: 'hourly' }, { timestamp: due.getTime() - 1234, delay: 1234 } as Job);
    const row = (await logRows(t.app, 'hourly', HOUR)).at(-1)!;
    expect(row).toMatchObject({ status: 'COMPLETED', metadata: expect.objectContaining({ trigger: 'schedule' }) });
  });
});

describe('late events', () => {
  it('are waited for while in flight: a run does not read its period until ingestion on those days commits', async () => {
    const hour = new Date(periodStartOf('hourly', NOW).getTime() - 12 * DAY_MS);
    const events = t.app.services.analytics.ingest.events;
    await events.ensurePartitions([periodStartOf('monthly', hour)]);
    let inserted!: () => void;
    let commit!: () => void;
    const ready = new Promise<void>((r) => (inserted = r));
    const gate = new Promise<void>((r) => (commit = r));
    // What ingestion does, held open between its INSERT and its COMMIT.
    const ingestion = t.app.database.db.transaction().execute(async (tx) => {
      await events.in(tx).lockDaysShared([dayNumber(hour)]);
      await sql`INSERT INTO analytics_events (occurred_at, event_type) VALUES (${new Date(hour.getTime() + 1000)}, 'asset_viewed')`.execute(tx);
      inserted();
      await gate;
    });
    await ready;
    const running = run('hourly', hour);
    const waiting = await waitFor(async () => {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`.execute(t.app.database.db);
      return r.rows[0]!.n > 0;
    }, 10_000, 10);
    expect(waiting).toBe(true);
    commit();
    await ingestion;
    expect((await running).recordsProcessed).toBe(1);
  });

  it('trigger one re-run of each closed period they fall in, however many arrive', async () => {
    const at = new Date(periodStartOf('hourly', NOW).getTime() - 10 * DAY_MS + 3 * HOUR_MS + 17 * 60_000);
    const asset = randomUUID();
    await ingest([{ eventType: 'asset_viewed', occurredAt: at.toISOString(), assetId: asset, sessionId: 'on-time' }]);
    for (const p of around(at)) await run(p.type, p.start);
    const queue = t.app.queues.get('analytics-aggregation');
    await queue.pause();
    const before = await lateJobs();
    try {
      for (let i = 0; i < 3; i++) await ingest([{ eventType: 'asset_downloaded', occurredAt: new Date(at.getTime() + i * 1000).toISOString(), assetId: asset, sessionId: `late-${i}` }]);
      // Same day, an hour that never ran: only the day, week and month, already flagged.
      await ingest([{ eventType: 'asset_viewed', occurredAt: new Date(at.getTime() + 2 * HOUR_MS).toISOString(), assetId: asset }]);
      const flagged = await t.app.database.db.selectFrom('analytics_rollup_periods').select(['period_type', 'period_start']).where('rerun_requested_at', 'is not', null).execute();
      expect(flagged.map((p) => `${p.period_type} ${p.period_start.toISOString()}`).sort()).toEqual(around(at).map((p) => `${p.type} ${p.start.toISOString()}`).sort());
      // One coalesced pass asked for, not a job per period.
      expect((await lateJobs()).length - before.length).toBe(1);
    } finally {
      await queue.resume();
    }
    expect(await outboxDrained(t.app)).toBe(true);
    await expectExact(around(at));
    expect((await rollupFigures(t.app, 'hourly', 'asset', periodStartOf('hourly', at)))[0]).toMatchObject({ views: 1, clicks: 3, unique_visitors: 4 });
    for (const p of around(at)) expect((await logRows(t.app, p.type, p.start)).some((r) => (r.metadata as { trigger: string }).trigger === 'late')).toBe(true);
  });

  async function lateJobs(): Promise<Array<{ id: number }>> {
    return t.app.database.db.selectFrom('outbox').select('id').where('queue', '=', 'analytics-aggregation').where('job_name', '=', 'AnalyticsLatePass').orderBy('id').execute();
  }
});

describe('POST /api/admin/jobs/aggregation/run', () => {
  const day = new Date(periodStartOf('daily', NOW).getTime() - 5 * DAY_MS);
  const post = (body: unknown, as: Session = admin) => t.call('POST', '/api/admin/jobs/aggregation/run', { as, body });

  it('runs the period on a worker and logs it', async () => {
    await ingest([{ eventType: 'license_clicked', occurredAt: new Date(day.getTime() + HOUR_MS).toISOString(), projectId: randomUUID() }]);
    const res = await post({ jobType: 'daily', periodStart: day.toISOString() });
    expect(res.status).toBe(202);
    expect(res.body.data.jobId).toMatch(/^analytics-run-daily-\d{8}-\d+$/);
    expect(await waitFor(async () => (await logRows(t.app, 'daily', day)).some((r) => r.status === 'COMPLETED'), 20_000)).toBe(true);
    await expectExact([{ type: 'daily', start: day }]);
  });

  it('refuses periods that are not period starts, not over, or older than the raw events kept', async () => {
    const cases: Array<[unknown, string]> = [
      [{ jobType: 'hourly', periodStart: new Date(day.getTime() + 30 * 60_000).toISOString() }, 'a hourly period starts on the hour'],
      [{ jobType: 'weekly', periodStart: new Date(periodStartOf('weekly', day).getTime() + DAY_MS).toISOString() }, 'a weekly period starts on a Monday 00:00 UTC'],
      [{ jobType: 'monthly', periodStart: '2025-10-02T00:00:00.000Z' }, 'a monthly period starts on the 1st 00:00 UTC'],
      [{ jobType: 'daily', periodStart: periodStartOf('daily', NOW).toISOString() }, 'the period has not ended yet'],
      [{ jobType: 'monthly', periodStart: shiftPeriod('monthly', periodStartOf('monthly', NOW), -20).toISOString() }, 'are no longer kept'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('Invalid request body');
      expect(res.body.details[0]).toMatchObject({ path: ['periodStart'], message: expect.stringContaining(message) });
    }
    expect((await post({ jobType: 'yearly', periodStart: day.toISOString() })).status).toBe(400);
    expect((await post({ jobType: 'daily' })).status).toBe(400);
    const forbidden = await post({ jobType: 'daily', periodStart: day.toISOString() }, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('Forbidden: Admin access required');
  });
});

describe('backfill and retention', () => {
  const day = new Date(periodStartOf('daily', NOW).getTime() - 45 * DAY_MS);

  it('re-aggregates every period of a day range, with progress', async () => {
    await ingest([{ eventType: 'asset_viewed', occurredAt: new Date(day.getTime() + 5 * HOUR_MS).toISOString(), assetId: randomUUID(), sessionId: 'bf' }]);
    const progress: Array<[number, number]> = [];
    const { runs } = await aggregation().backfill(day, new Date(day.getTime() + DAY_MS), (done, total) => progress.push([done, total]), NOW);
    expect(runs).toBe(24 + 1 + 1 + 1);
    expect(progress[0]).toEqual([0, runs]);
    expect(progress.at(-1)).toEqual([runs, runs]);
    await expectExact(around(new Date(day.getTime() + 5 * HOUR_MS)));
  });

  it('is a CLI command with a progress bar: herald analytics backfill --from --to', async () => {
    const from = day.toISOString().slice(0, 10);
    const env = { DATABASE_URL: t.databaseUrl, REDIS_URL, LOG_LEVEL: 'warn' };
    const cli = spawnHerald(['analytics', 'backfill', '--from', from, '--to', from], env);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/\[#{30}\] 100% 27\/27/);
    expect(cli.output()).toContain(`Backfilled 27 analytics periods from ${from} to ${from}`);
    const bad = spawnHerald(['analytics', 'backfill', '--from', from, '--to', '2020-02-30'], env);
    expect(await bad.exited).toBe(2); // a usage error
    expect(bad.output()).toContain('--from and --to must be dates YYYY-MM-DD');
  });

  it('drops raw-event partitions past the retention, keeps the rollups, and refuses to re-run those periods', async () => {
    const old = shiftPeriod('monthly', periodStartOf('monthly', NOW), -20);
    const events = t.app.services.analytics.ingest.events;
    await events.ensurePartitions([old]);
    await sql`INSERT INTO analytics_events (occurred_at, event_type) VALUES (${old}, 'asset_viewed')`.execute(t.app.database.db);
    const result = await aggregation().maintain(NOW);
    expect(result.dropped).toContain(old.toISOString().slice(0, 7));
    const months = (await events.partitions()).map((m) => m.toISOString().slice(0, 7));
    expect(months).not.toContain(old.toISOString().slice(0, 7));
    expect(months).toContain(shiftPeriod('monthly', periodStartOf('monthly', NOW), 1).toISOString().slice(0, 7));
    await expect(aggregation().run({ type: 'monthly', start: old, trigger: 'manual' }, NOW)).rejects.toThrow(/older than the raw events kept/);
  });
});
