import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsSeriesBody } from '../../src/job-console/metrics.responses.js';
import type { MetricsService } from '../../src/job-console/metrics.service.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { expectedPercentiles, insertHistory, metricsService, type HistoryRow } from './metrics.helpers.js';

// Job metrics over time: the rollup from job history (exact percentiles at every level, upserts
// that never double count, late rows, retention) and GET /api/admin/jobs/queues/:queue/metrics.
// The app runs the api role only: no scheduled rollup runs beside the ones a test drives with its
// own clock (the job itself, through a worker: metrics-job.test.ts).

let t: TestApp;
let admin: Session;
let metrics: MetricsService;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' }, { roles: ['api'] });
  admin = await t.admin();
  metrics = metricsService(t.app);
});
afterAll(() => t?.close());

const get = (path: string, as: Session | undefined = admin) => t.call('GET', path, { as });
const at = (iso: string) => new Date(iso);
const series = async (queue: string, granularity: string, from: string, to: string) => {
  const res = await get(`/api/admin/jobs/queues/${queue}/metrics?granularity=${granularity}&from=${from}&to=${to}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { queue: string; from: string; to: string; buckets: Array<{ start: string; completed: number; failed: number; throughput: number; waitMs: unknown; runMs: unknown }> };
};
const bucket = async (queue: string, granularity: string, start: string) => {
  const size = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[granularity]!;
  const to = new Date(Date.parse(start) + size).toISOString();
  const data = await series(queue, granularity, start, to);
  expect(data.buckets).toHaveLength(1);
  return data.buckets[0]!;
};

/** A deterministic spread of durations (a few very slow ones), so p95 and p99 differ from p50. */
const spread = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7_919 + seed * 104_729) % 997) + (i % 17 === 0 ? 5_000 + i : 0));

function rowsIn(queue: string, minute: string, n: number, seed: number, extra: Partial<HistoryRow> = {}): HistoryRow[] {
  const wait = spread(n, seed);
  const run = spread(n, seed + 1);
  return Array.from({ length: n }, (_, i) => ({
    queue, finishedAt: new Date(Date.parse(minute) + ((i * 997) % 60_000)), waitMs: wait[i]!, runMs: run[i]!,
    state: i % 9 === 4 ? 'failed' as const : 'completed' as const, ...extra,
  }));
}

const summary = (rows: readonly HistoryRow[]) => ({
  completed: rows.filter((r) => r.state !== 'failed').length,
  failed: rows.filter((r) => r.state === 'failed').length,
  waitMs: expectedPercentiles(rows.map((r) => r.waitMs)),
  runMs: expectedPercentiles(rows.map((r) => r.runMs)),
});

describe('rollup percentiles and counts', () => {
  // Delivery: three minutes of one hour (one with a job that never started: no wait, no run);
  // webhooks: a minute of that hour and an afternoon of the day before.
  const d1 = rowsIn('notification-delivery', '2025-10-18T08:01:00Z', 40, 1);
  const d2 = [...rowsIn('notification-delivery', '2025-10-18T08:02:00Z', 1, 2), { queue: 'notification-delivery', state: 'failed' as const, finishedAt: at('2025-10-18T08:02:30Z'), waitMs: null, runMs: null }];
  const d3 = rowsIn('notification-delivery', '2025-10-18T08:59:00Z', 25, 3);
  const w1 = rowsIn('webhook-delivery', '2025-10-18T08:01:00Z', 10, 4);
  const w0 = [...rowsIn('webhook-delivery', '2025-10-17T15:10:00Z', 30, 5), ...rowsIn('webhook-delivery', '2025-10-17T23:59:00Z', 12, 6)];
  const now = at('2025-10-18T09:30:30Z');

  beforeAll(async () => {
    await insertHistory(t.app, [...d1, ...d2, ...d3, ...w1, ...w0]);
    // The first runs: everything history holds since each level's floor, closed buckets only.
    const [minute, hour, day] = await metrics.rollup(undefined, now);
    expect(minute).toMatchObject({ granularity: 'minute', from: '2025-10-17T09:30:00.000Z', to: '2025-10-18T09:30:00.000Z', scanned: d1.length + d2.length + d3.length + w1.length + w0.length });
    expect(hour).toMatchObject({ granularity: 'hour', to: '2025-10-18T09:00:00.000Z' });
    expect(day).toMatchObject({ granularity: 'day', to: '2025-10-18T00:00:00.000Z', scanned: w0.length });
  });

  it('minute buckets: counts, throughput and exact p50/p95/p99 per queue and for all queues', async () => {
    expect(await bucket('notification-delivery', 'minute', '2025-10-18T08:01:00Z')).toEqual({ start: '2025-10-18T08:01:00.000Z', ...summary(d1), throughput: Number((40 / 60).toPrecision(6)) });
    // A bucket whose only failure never started: counted, and its percentiles come from the rest.
    expect(await bucket('notification-delivery', 'minute', '2025-10-18T08:02:00Z')).toMatchObject({ completed: 1, failed: 1, waitMs: summary(d2).waitMs, runMs: summary(d2).runMs });
    expect(await bucket('webhook-delivery', 'minute', '2025-10-18T08:01:00Z')).toMatchObject(summary(w1));
    // All queues: the percentiles of the union of rows, not an average of the queues' percentiles.
    const all = await bucket('all', 'minute', '2025-10-18T08:01:00Z');
    expect(all).toMatchObject(summary([...d1, ...w1]));
    expect(all.runMs).not.toEqual(summary(d1).runMs);
  });

  it('hour and day buckets come from the raw rows of the whole interval, not from smaller buckets', async () => {
    expect(await bucket('notification-delivery', 'hour', '2025-10-18T08:00:00Z')).toMatchObject(summary([...d1, ...d2, ...d3]));
    expect(await bucket('all', 'hour', '2025-10-18T08:00:00Z')).toMatchObject(summary([...d1, ...d2, ...d3, ...w1]));
    expect(await bucket('webhook-delivery', 'hour', '2025-10-17T15:00:00Z')).toMatchObject(summary(w0.slice(0, 30)));
    const day = await bucket('webhook-delivery', 'day', '2025-10-17T00:00:00Z');
    expect(day).toMatchObject({ ...summary(w0), throughput: Number((42 / 86_400).toPrecision(6)) });
    // Today is not closed: no daily bucket yet.
    expect(await bucket('webhook-delivery', 'day', '2025-10-18T00:00:00Z')).toMatchObject({ completed: 0, failed: 0, waitMs: null });
  });

  it('every bucket of the range is present, oldest first, empty ones zero with null percentiles', async () => {
    const data = await series('notification-delivery', 'minute', '2025-10-18T08:00:00Z', '2025-10-18T09:00:00Z');
    // The answer is what the OpenAPI document (and the client's types) say, strictly.
    expect(metricsSeriesBody.strict().safeParse({ success: true, data }).error).toBeUndefined();
    expect(data).toMatchObject({ queue: 'notification-delivery', granularity: 'minute', from: '2025-10-18T08:00:00.000Z', to: '2025-10-18T09:00:00.000Z' });
    expect(data.buckets).toHaveLength(60);
    expect(data.buckets.map((b) => b.start)).toEqual(Array.from({ length: 60 }, (_, i) => new Date(Date.parse('2025-10-18T08:00:00Z') + i * 60_000).toISOString()));
    const busy = data.buckets.filter((b) => b.completed + b.failed > 0).map((b) => b.start.slice(11, 16));
    expect(busy).toEqual(['08:01', '08:02', '08:59']);
    expect(data.buckets[30]).toEqual({ start: '2025-10-18T08:30:00.000Z', completed: 0, failed: 0, throughput: 0, waitMs: null, runMs: null });
    // A queue without any history: all zero.
    const quiet = await series('media-scan', 'hour', '2025-10-17T00:00:00Z', '2025-10-18T00:00:00Z');
    expect(quiet.buckets).toHaveLength(24);
    expect(quiet.buckets.every((b) => b.completed === 0 && b.failed === 0 && b.runMs === null)).toBe(true);
  });

  it('a re-run leaves the same rows (upserted, never added) and rewrites nothing unchanged', async () => {
    const before = await series('all', 'hour', '2025-10-18T08:00:00Z', '2025-10-18T09:00:00Z');
    expect(await metrics.rollWindow('hour', at('2025-10-18T08:00:00Z'), at('2025-10-18T09:00:00Z'))).toEqual({ scanned: 77, written: 0 });
    await metrics.rollup(undefined, now);
    expect(await series('all', 'hour', '2025-10-18T08:00:00Z', '2025-10-18T09:00:00Z')).toEqual(before);
    expect(await bucket('webhook-delivery', 'day', '2025-10-17T00:00:00Z')).toMatchObject({ completed: summary(w0).completed, failed: summary(w0).failed });
  });

  it('two runs of the same window at once do not double count', async () => {
    const queue = 'notification-inbox';
    const rows = [...rowsIn(queue, '2025-10-18T07:10:00Z', 20, 11), ...rowsIn(queue, '2025-10-18T07:11:00Z', 7, 12)];
    await insertHistory(t.app, rows);
    const window = [at('2025-10-18T07:00:00Z'), at('2025-10-18T08:00:00Z')] as const;
    const runs = await Promise.all([metrics.rollWindow('minute', ...window), metrics.rollWindow('minute', ...window), metrics.rollWindow('hour', ...window), metrics.rollWindow('hour', ...window)]);
    // Each run read every row (one after the other: runs of a level take turns).
    expect(runs.map((r) => r.scanned)).toEqual([27, 27, 27, 27]);
    expect(await bucket(queue, 'minute', '2025-10-18T07:10:00Z')).toMatchObject(summary(rows.slice(0, 20)));
    expect(await bucket(queue, 'hour', '2025-10-18T07:00:00Z')).toMatchObject(summary(rows));
    // And two scheduled runs of a level at once.
    await Promise.all([metrics.rollLevel('hour', now), metrics.rollLevel('hour', now)]);
    expect(await bucket(queue, 'hour', '2025-10-18T07:00:00Z')).toMatchObject(summary(rows));
  });
});

describe('late rows and missed runs', () => {
  const queue = 'search-index-update';

  it('rows inserted after their bucket was rolled appear after the next run', async () => {
    const now = at('2025-10-20T12:00:10Z');
    const first = rowsIn(queue, '2025-10-20T11:57:00Z', 5, 7);
    await insertHistory(t.app, first);
    await metrics.rollLevel('minute', now);
    await metrics.rollLevel('hour', at('2025-10-20T12:02:00Z'));
    expect(await bucket(queue, 'minute', '2025-10-20T11:57:00Z')).toMatchObject({ completed: summary(first).completed });

    // A worker's batch lands late (up to JOB_HISTORY_FLUSH_MS): the next minute's run re-rolls it.
    const late = rowsIn(queue, '2025-10-20T11:57:00Z', 3, 8, { runMs: 60_000 });
    await insertHistory(t.app, late);
    expect(await bucket(queue, 'minute', '2025-10-20T11:57:00Z')).toMatchObject({ completed: summary(first).completed });
    await metrics.rollLevel('minute', at('2025-10-20T12:01:10Z'));
    expect(await bucket(queue, 'minute', '2025-10-20T11:57:00Z')).toMatchObject(summary([...first, ...late]));
    // The hour that closed at 12:00 is recomputed at 13:02 (the previous hour again).
    expect(await bucket(queue, 'hour', '2025-10-20T11:00:00Z')).toMatchObject({ completed: summary(first).completed });
    await metrics.rollLevel('hour', at('2025-10-20T13:02:00Z'));
    expect(await bucket(queue, 'hour', '2025-10-20T11:00:00Z')).toMatchObject(summary([...first, ...late]));
  });

  it('runs missed while no worker ran are caught up from the watermark', async () => {
    const gap = rowsIn(queue, '2025-10-20T13:40:00Z', 6, 9);
    await insertHistory(t.app, gap);
    // Last minute run 12:01:10 (watermark 12:01); the next one at 14:00:10 covers 12:01-14:00, not just its last 5 minutes.
    const run = await metrics.rollLevel('minute', at('2025-10-20T14:00:10Z'));
    expect(run).toMatchObject({ from: '2025-10-20T12:01:00.000Z', to: '2025-10-20T14:00:00.000Z' });
    expect(await bucket(queue, 'minute', '2025-10-20T13:40:00Z')).toMatchObject(summary(gap));
    // The last hourly run was 13:02 (watermark 13:00); those of 14:02 and 15:02 were missed: the 16:02 run computes 13:00-16:00.
    expect(await metrics.rollLevel('hour', at('2025-10-20T16:02:00Z'))).toMatchObject({ from: '2025-10-20T13:00:00.000Z', to: '2025-10-20T16:00:00.000Z' });
    expect(await bucket(queue, 'hour', '2025-10-20T13:00:00Z')).toMatchObject(summary(gap));
  });
});

describe('retention', () => {
  it('purges each level\'s buckets that start before its horizon, exactly', async () => {
    const queue = 'media-thumbnail';
    const now = at('2026-03-31T12:00:30Z');
    // JOB_METRICS_MINUTE_HOURS 24, JOB_METRICS_HOUR_DAYS 90, JOB_METRICS_DAY_MONTHS 13 (defaults).
    const kept = { minute: '2026-03-30T12:00:00Z', hour: '2025-12-31T12:00:00Z', day: '2025-02-28T00:00:00Z' };
    const gone = { minute: '2026-03-30T11:59:00Z', hour: '2025-12-31T11:00:00Z', day: '2025-02-27T00:00:00Z' };
    const db = t.app.database.db;
    const row = (granularity: 'minute' | 'hour' | 'day', start: string) => ({ queue, granularity, bucket_start: at(start), completed: 1, failed: 0 });
    await db.insertInto('job_metrics').values((['minute', 'hour', 'day'] as const).flatMap((g) => [row(g, kept[g]), row(g, gone[g])])).execute();
    // Other tests' buckets (October 2025) are past every horizon too: purged with them.
    const runs = await metrics.rollup(undefined, now);
    expect(runs.every((r) => r.purged >= 1)).toBe(true);
    const left = await db.selectFrom('job_metrics').select(['granularity', 'bucket_start']).where('queue', '=', queue).orderBy('granularity').execute();
    expect(left.map((r) => [r.granularity, r.bucket_start.toISOString()])).toEqual([
      ['day', '2025-02-28T00:00:00.000Z'], ['hour', '2025-12-31T12:00:00.000Z'], ['minute', '2026-03-30T12:00:00.000Z'],
    ]);
    // Shorter retention: purged at the next run.
    const short = metricsService(t.app, { retention: { minuteHours: 1, hourDays: 1, dayMonths: 1 } });
    expect((await short.rollup(undefined, now)).every((r) => r.purged >= 1)).toBe(true);
    expect(await db.selectFrom('job_metrics').select('bucket_start').where('queue', '=', queue).execute()).toEqual([]);
  });
});

describe('GET /api/admin/jobs/queues/:queue/metrics', () => {
  const path = '/api/admin/jobs/queues/notification-delivery/metrics';

  it('defaults to the closed buckets of the last hour, day or 30 days (hour when not given)', async () => {
    for (const [granularity, n, size] of [['minute', 60, 60_000], ['hour', 24, 3_600_000], ['day', 30, 86_400_000]] as const) {
      const before = Date.now();
      const res = await get(`${path}?granularity=${granularity}`);
      expect(res.status).toBe(200);
      expect(res.body.data.buckets).toHaveLength(n);
      const to = Date.parse(res.body.data.to);
      expect(to % size).toBe(0);
      expect(to).toBeGreaterThan(before - 2 * size);
      expect(to).toBeLessThanOrEqual(Date.now());
    }
    expect((await get(path)).body.data).toMatchObject({ granularity: 'hour', buckets: expect.any(Array) });
    expect((await get(path)).body.data.buckets).toHaveLength(24);
  });

  it('accepts dates and aligns the range outward', async () => {
    const res = await get(`${path}?granularity=day&from=2025-10-01&to=2025-10-03T06:00:00%2B02:00`);
    expect(res.body.data).toMatchObject({ from: '2025-10-01T00:00:00.000Z', to: '2025-10-04T00:00:00.000Z' });
    expect(res.body.data.buckets).toHaveLength(3);
  });

  it('answers 404 for an unknown queue', async () => {
    expect(await get('/api/admin/jobs/queues/nope/metrics')).toMatchObject({ status: 404, body: { success: false, error: 'Queue not found' } });
  });

  it('refuses a bad granularity, a bad date, from at or after to, and too many buckets with 400', async () => {
    const bad = async (query: string, path_: string, message: RegExp) => {
      const res = await get(`${path}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid query parameters' });
      expect(res.body.details, query).toEqual(expect.arrayContaining([expect.objectContaining({ path: [path_], message: expect.stringMatching(message) })]));
    };
    await bad('granularity=week', 'granularity', /minute.*hour.*day/);
    await bad('from=yesterday', 'from', /./);
    await bad('to=2025-13-01', 'to', /./);
    await bad('from=2025-10-02&to=2025-10-01', 'from', /must be before to/);
    await bad('from=2025-10-01T00:00:00Z&to=2025-10-01T00:00:00Z', 'from', /must be before to/);
    await bad('granularity=minute&from=2025-10-01&to=2025-10-03', 'from', /2880 minute buckets, at most 2200/);
    await bad('granularity=hour&from=2025-01-01&to=2025-10-01', 'from', /at most 2200/);
    // A misspelt or unknown parameter, and one given twice, as the job search refuses them.
    const unknown = await get(`${path}?granularity=hour&form=2025-10-01`);
    expect(unknown).toMatchObject({ status: 400, body: { success: false, error: 'Invalid query parameters' } });
    expect(JSON.stringify(unknown.body.details)).toContain('form');
    await bad('granularity=hour&granularity=day', 'granularity', /./);
    // 90 days hourly and 13 months daily fit.
    expect((await get(`${path}?granularity=hour&from=2025-07-01&to=2025-09-29`)).body.data.buckets).toHaveLength(2_160);
    expect((await get(`${path}?granularity=day&from=2024-09-01&to=2025-10-01`)).body.data.buckets).toHaveLength(395);
  });

  it('is for admins only', async () => {
    expect((await t.call('GET', path)).status).toBe(401);
    expect((await get(path, await t.user('VIEWER'))).status).toBe(403);
    expect((await get(path, await t.user('CREATOR'))).status).toBe(403);
  });
});
