import { describe, expect, it } from 'vitest';
import {
  ALL_QUEUES, bucketStarts, chunks, fillBuckets, historyHorizon, MAX_BUCKETS, monthsBefore, rerollBuckets, resolveRange, retentionHorizon, rollupFloor, rollupWindow,
  throughputOf, type BucketRow,
} from '../../src/job-console/metrics.rules.js';

// The pure rules of the job metrics, without the app (the rollup and the endpoint: metrics.test.ts).

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('the pseudo-queue', () => {
  it('is named all (GET /api/admin/jobs/queues/all/metrics), a name no queue has', () => {
    expect(ALL_QUEUES).toBe('all');
  });
});

describe('bucketStarts', () => {
  it('lists the aligned starts of [from, to), oldest first', () => {
    expect(bucketStarts('minute', at('2025-10-18T09:58:00Z'), at('2025-10-18T10:01:00Z')).map(iso))
      .toEqual(['2025-10-18T09:58:00.000Z', '2025-10-18T09:59:00.000Z', '2025-10-18T10:00:00.000Z']);
    expect(bucketStarts('day', at('2025-10-30T00:00:00Z'), at('2025-11-02T00:00:00Z')).map(iso))
      .toEqual(['2025-10-30T00:00:00.000Z', '2025-10-31T00:00:00.000Z', '2025-11-01T00:00:00.000Z']);
    expect(bucketStarts('hour', at('2025-10-18T10:00:00Z'), at('2025-10-18T10:00:00Z'))).toEqual([]);
  });
});

describe('resolveRange', () => {
  const now = at('2025-10-18T09:30:30Z');

  it('defaults to the closed buckets of the last hour, day or 30 days', () => {
    expect(resolveRange({ granularity: 'minute' }, now)).toEqual({ from: at('2025-10-18T08:30:00Z'), to: at('2025-10-18T09:30:00Z'), buckets: 60 });
    expect(resolveRange({ granularity: 'hour' }, now)).toEqual({ from: at('2025-10-17T09:00:00Z'), to: at('2025-10-18T09:00:00Z'), buckets: 24 });
    expect(resolveRange({ granularity: 'day' }, now)).toEqual({ from: at('2025-09-18T00:00:00Z'), to: at('2025-10-18T00:00:00Z'), buckets: 30 });
  });

  it('aligns outward to whole buckets and takes the default span before a given to', () => {
    expect(resolveRange({ granularity: 'hour', from: at('2025-10-18T01:30:00Z'), to: at('2025-10-18T03:10:00Z') }, now))
      .toEqual({ from: at('2025-10-18T01:00:00Z'), to: at('2025-10-18T04:00:00Z'), buckets: 3 });
    expect(resolveRange({ granularity: 'minute', to: at('2025-10-01T00:00:00Z') }, now))
      .toEqual({ from: at('2025-09-30T23:00:00Z'), to: at('2025-10-01T00:00:00Z'), buckets: 60 });
    expect(resolveRange({ granularity: 'hour', from: at('2025-10-18T06:00:00Z') }, now))
      .toEqual({ from: at('2025-10-18T06:00:00Z'), to: at('2025-10-18T09:00:00Z'), buckets: 3 });
  });

  it('refuses from at or after to, naming from', () => {
    expect(resolveRange({ granularity: 'hour', from: at('2025-10-18T03:00:00Z'), to: at('2025-10-18T03:00:00Z') }, now)).toEqual({ path: 'from', message: 'must be before to' });
    expect(resolveRange({ granularity: 'hour', from: at('2025-10-18T04:00:00Z'), to: at('2025-10-18T03:00:00Z') }, now)).toMatchObject({ path: 'from' });
    // Only from, in the current (open) bucket: nothing closed to show.
    expect(resolveRange({ granularity: 'hour', from: at('2025-10-18T09:10:00Z') }, now)).toMatchObject({ path: 'from', message: expect.stringMatching(/before the current hour's start/) });
  });

  it(`allows ${MAX_BUCKETS} buckets (90 days hourly is 2,160) and refuses one more`, () => {
    const to = at('2025-10-18T00:00:00Z');
    expect(resolveRange({ granularity: 'hour', from: at('2025-07-20T00:00:00Z'), to }, now)).toMatchObject({ buckets: 2_160 });
    expect(resolveRange({ granularity: 'minute', from: new Date(to.getTime() - MAX_BUCKETS * 60_000), to }, now)).toMatchObject({ buckets: MAX_BUCKETS });
    expect(resolveRange({ granularity: 'minute', from: new Date(to.getTime() - (MAX_BUCKETS + 1) * 60_000), to }, now))
      .toEqual({ path: 'from', message: `the range holds ${MAX_BUCKETS + 1} minute buckets, at most ${MAX_BUCKETS} are allowed: narrow it or pick a coarser granularity` });
  });
});

describe('retention', () => {
  const r = { minuteHours: 24, hourDays: 90, dayMonths: 13 };

  it('keeps the bucket that contains the instant `retention` ago', () => {
    const now = at('2025-10-18T09:30:30Z');
    expect(retentionHorizon('minute', now, r)).toEqual(at('2025-10-17T09:30:00Z'));
    expect(retentionHorizon('hour', now, r)).toEqual(at('2025-07-20T09:00:00Z'));
    expect(retentionHorizon('day', now, r)).toEqual(at('2024-09-18T00:00:00Z'));
  });

  it('counts months by the calendar, clamping the day', () => {
    expect(monthsBefore(at('2025-03-31T12:00:00Z'), 1)).toEqual(at('2025-02-28T12:00:00Z'));
    expect(monthsBefore(at('2025-03-31T12:00:00Z'), 13)).toEqual(at('2024-02-29T12:00:00Z'));
    expect(monthsBefore(at('2025-01-15T00:00:00Z'), 1)).toEqual(at('2024-12-15T00:00:00Z'));
  });

  it('a run computes nothing older than history or than its retention, whichever is later', () => {
    const now = at('2025-10-18T09:30:30Z');
    // Minutes: 24 h of retention inside 30 days of history.
    expect(rollupFloor('minute', now, 30, r)).toEqual(at('2025-10-17T09:30:00Z'));
    // Days: 13 months of retention, but history since 2025-09-18 only.
    expect(rollupFloor('day', now, 30, r)).toEqual(at('2025-09-18T00:00:00Z'));
    expect(rollupFloor('hour', now, 1, r)).toEqual(at('2025-10-17T00:00:00Z'));
  });

  it('history starts at the first whole UTC day kept', () => {
    expect(historyHorizon(at('2025-10-18T09:30:00Z'), 1)).toEqual(at('2025-10-17T00:00:00Z'));
    expect(historyHorizon(at('2025-10-18T00:00:00Z'), 30)).toEqual(at('2025-09-18T00:00:00Z'));
  });
});

describe('rollupWindow', () => {
  const now = at('2025-10-18T09:30:30Z');
  const floor = at('2025-10-17T00:00:00Z');

  it('re-rolls the last few closed buckets when up to date', () => {
    expect(rollupWindow({ g: 'minute', now, rolledTo: at('2025-10-18T09:30:00Z'), reroll: 5, floor }))
      .toEqual({ from: at('2025-10-18T09:25:00Z'), to: at('2025-10-18T09:30:00Z') });
    // The hourly run: the hour just closed and the one before.
    expect(rollupWindow({ g: 'hour', now, rolledTo: at('2025-10-18T09:00:00Z'), reroll: 2, floor }))
      .toEqual({ from: at('2025-10-18T07:00:00Z'), to: at('2025-10-18T09:00:00Z') });
    expect(rollupWindow({ g: 'day', now, rolledTo: at('2025-10-18T00:00:00Z'), reroll: 1, floor }))
      .toEqual({ from: at('2025-10-17T00:00:00Z'), to: at('2025-10-18T00:00:00Z') });
  });

  it('catches up from the watermark after missed runs, never before the floor', () => {
    expect(rollupWindow({ g: 'hour', now, rolledTo: at('2025-10-18T02:00:00Z'), reroll: 2, floor }))
      .toEqual({ from: at('2025-10-18T02:00:00Z'), to: at('2025-10-18T09:00:00Z') });
    expect(rollupWindow({ g: 'hour', now, rolledTo: at('2025-10-01T00:00:00Z'), reroll: 2, floor }))
      .toEqual({ from: floor, to: at('2025-10-18T09:00:00Z') });
    // First run: everything history still holds.
    expect(rollupWindow({ g: 'minute', now, rolledTo: null, reroll: 5, floor }))
      .toEqual({ from: floor, to: at('2025-10-18T09:30:00Z') });
    // A floor inside a bucket: that partial bucket is not recomputed.
    expect(rollupWindow({ g: 'hour', now, rolledTo: null, reroll: 2, floor: at('2025-10-18T07:30:00Z') }))
      .toEqual({ from: at('2025-10-18T08:00:00Z'), to: at('2025-10-18T09:00:00Z') });
    expect(rollupWindow({ g: 'day', now, rolledTo: null, reroll: 1, floor: at('2025-10-18T00:00:00Z') })).toBeNull();
  });

  it('re-rolls more minutes when history is flushed less often', () => {
    expect(rerollBuckets('minute', 1_000)).toBe(5);
    expect(rerollBuckets('minute', 60_000)).toBe(5);
    expect(rerollBuckets('minute', 150_000)).toBe(6);
    expect(rerollBuckets('hour', 60_000)).toBe(2);
    expect(rerollBuckets('day', 60_000)).toBe(1);
  });

  it('cuts a window into statements of a bounded number of buckets', () => {
    expect(chunks('minute', at('2025-10-18T07:30:00Z'), at('2025-10-18T09:45:00Z')).map((c) => [iso(c.from), iso(c.to)])).toEqual([
      ['2025-10-18T07:30:00.000Z', '2025-10-18T08:30:00.000Z'],
      ['2025-10-18T08:30:00.000Z', '2025-10-18T09:30:00.000Z'],
      ['2025-10-18T09:30:00.000Z', '2025-10-18T09:45:00.000Z'],
    ]);
    expect(chunks('day', at('2025-10-16T00:00:00Z'), at('2025-10-18T00:00:00Z'))).toHaveLength(2);
    expect(chunks('hour', at('2025-10-18T00:00:00Z'), at('2025-10-18T09:00:00Z')).map((c) => iso(c.to)))
      .toEqual(['2025-10-18T04:00:00.000Z', '2025-10-18T08:00:00.000Z', '2025-10-18T09:00:00.000Z']);
  });
});

describe('fillBuckets', () => {
  const row = (start: string, counts: [number, number], wait: [number, number, number] | null, run: [number, number, number] | null): BucketRow =>
    [Date.parse(start), ...counts, ...(wait ?? [null, null, null]), ...(run ?? [null, null, null])];

  it('has every bucket: stored ones as they are, the others zero with null percentiles', () => {
    const rows = [row('2025-10-18T09:01:00Z', [90, 30], [1.234, 10, 12.3456], [5, 50, 99.999])];
    expect(fillBuckets('minute', at('2025-10-18T09:00:00Z'), at('2025-10-18T09:03:00Z'), rows)).toEqual([
      { start: '2025-10-18T09:00:00.000Z', completed: 0, failed: 0, throughput: 0, waitMs: null, runMs: null },
      { start: '2025-10-18T09:01:00.000Z', completed: 90, failed: 30, throughput: 2, waitMs: { p50: 1.23, p95: 10, p99: 12.35 }, runMs: { p50: 5, p95: 50, p99: 100 } },
      { start: '2025-10-18T09:02:00.000Z', completed: 0, failed: 0, throughput: 0, waitMs: null, runMs: null },
    ]);
  });

  it('walks the rows in order: rows before the range skipped, neighbours and gaps each in place', () => {
    const rows = [row('2025-10-18T07:00:00Z', [7, 0], null, null), row('2025-10-18T08:00:00Z', [1, 0], null, null), row('2025-10-18T09:00:00Z', [2, 0], null, null), row('2025-10-18T11:00:00Z', [4, 1], null, null)];
    const filled = fillBuckets('hour', at('2025-10-18T08:00:00Z'), at('2025-10-18T13:00:00Z'), rows);
    expect(filled.map((b) => [b.start.slice(11, 13), b.completed, b.failed])).toEqual([['08', 1, 0], ['09', 2, 0], ['10', 0, 0], ['11', 4, 1], ['12', 0, 0]]);
    expect(fillBuckets('day', at('2025-10-18T00:00:00Z'), at('2025-10-20T00:00:00Z'), [])).toHaveLength(2);
  });

  it('gives null percentiles for a bucket whose jobs had no value (never started)', () => {
    const [b] = fillBuckets('hour', at('2025-10-18T09:00:00Z'), at('2025-10-18T10:00:00Z'), [row('2025-10-18T09:00:00Z', [0, 2], null, [3, 3, 3])]);
    expect(b).toMatchObject({ failed: 2, waitMs: null, runMs: { p50: 3 } });
  });

  it('computes throughput per second over the whole bucket', () => {
    expect(throughputOf('minute', 120)).toBe(2);
    expect(throughputOf('hour', 36)).toBe(0.01);
    expect(throughputOf('day', 1)).toBe(0.0000115741);
  });
});
