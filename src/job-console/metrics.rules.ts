/** Pure rules of the job metrics over time: UTC buckets, rollup windows, retention, read ranges. */

import { JOB_METRICS_GRANULARITIES, type JobMetricsGranularity } from '../platform/db/schema.js';

export type Granularity = JobMetricsGranularity;
export const GRANULARITIES = JOB_METRICS_GRANULARITIES;

/** The pseudo-queue of every queue together (its percentiles come from the raw rows, not from other buckets). */
export const ALL_QUEUES = 'all';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A bucket's length: fixed in UTC (no DST), so a day is always 86,400 s. */
export const BUCKET_MS: Readonly<Record<Granularity, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** A range asks for at most this many buckets (90 days hourly is 2,160; 24 h by minute 1,440; 13 months daily ~396). */
export const MAX_BUCKETS = 2_200;

/** The range a request without from/to shows: the last hour by minute, the last day by hour, the last 30 days by day. */
export const DEFAULT_SPAN_MS: Readonly<Record<Granularity, number>> = { minute: HOUR_MS, hour: DAY_MS, day: 30 * DAY_MS };

/**
 * Buckets one rollup statement computes: an hour of minutes, four hours, one day (at 100,000
 * history rows an hour: 100k, 400k and 2.4M rows sorted per statement). A catch-up after an outage
 * is a series of these, the watermark moving after each.
 */
export const CHUNK_BUCKETS: Readonly<Record<Granularity, number>> = { minute: 60, hour: 4, day: 1 };

export const floorTo = (g: Granularity, at: Date): Date => new Date(Math.floor(at.getTime() / BUCKET_MS[g]) * BUCKET_MS[g]);
export const ceilTo = (g: Granularity, at: Date): Date => new Date(Math.ceil(at.getTime() / BUCKET_MS[g]) * BUCKET_MS[g]);
const shift = (g: Granularity, at: Date, n: number): Date => new Date(at.getTime() + n * BUCKET_MS[g]);

/** The bucket starts of [from, to), both aligned to `g`, oldest first. */
export function bucketStarts(g: Granularity, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  for (let t = floorTo(g, from).getTime(); t < to.getTime(); t += BUCKET_MS[g]) out.push(new Date(t));
  return out;
}

/**
 * How many closed buckets each run computes again, however far the watermark is: history rows
 * arrive up to JOB_HISTORY_FLUSH_MS late (the workers write in batches), so the last few minutes
 * are recomputed each minute (at least 5, and two flush intervals more), the hour just closed and
 * the one before it each hour, and yesterday once after midnight.
 */
export function rerollBuckets(g: Granularity, flushMs: number): number {
  if (g === 'minute') return Math.max(5, Math.ceil((2 * flushMs) / MINUTE_MS) + 1);
  return g === 'hour' ? 2 : 1;
}

/** `months` calendar months before `at` (the day clamped to the target month's last), same time of day. */
export function monthsBefore(at: Date, months: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() - months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(at.getUTCDate(), last)) + (at.getTime() % DAY_MS + DAY_MS) % DAY_MS);
}

export interface MetricsRetention {
  /** JOB_METRICS_MINUTE_HOURS, JOB_METRICS_HOUR_DAYS, JOB_METRICS_DAY_MONTHS. */
  readonly minuteHours: number;
  readonly hourDays: number;
  readonly dayMonths: number;
}

/**
 * The oldest bucket start kept at each level: the bucket containing the instant `retention` ago
 * (it still overlaps the window), so buckets starting before it are purged, and it and later ones
 * kept.
 */
export function retentionHorizon(g: Granularity, now: Date, r: MetricsRetention): Date {
  if (g === 'minute') return floorTo(g, new Date(now.getTime() - r.minuteHours * HOUR_MS));
  if (g === 'hour') return floorTo(g, new Date(now.getTime() - r.hourDays * DAY_MS));
  return floorTo(g, monthsBefore(now, r.dayMonths));
}

/** The first instant job history still holds: whole UTC days past JOB_HISTORY_DAYS are dropped (history-maintenance.service.ts). */
export const historyHorizon = (now: Date, historyDays: number): Date => new Date(floorTo('day', now).getTime() - historyDays * DAY_MS);

/** The oldest instant a run of level `g` may compute from: history must still hold it, and it must be within the level's retention. */
export const rollupFloor = (g: Granularity, now: Date, historyDays: number, r: MetricsRetention): Date =>
  new Date(Math.max(historyHorizon(now, historyDays).getTime(), retentionHorizon(g, now, r).getTime()));

/**
 * What one scheduled run of level `g` computes: every closed bucket from the watermark (the end
 * of the last bucket rolled; the oldest bucket it may compute when there is none) up to the
 * current bucket's start, and the last `reroll` closed buckets again (late rows). Never before
 * `floor` (the later of the history horizon and the level's retention horizon: buckets older
 * than history cannot be recomputed, and would be purged). Null when there is nothing to do.
 */
export function rollupWindow(p: { g: Granularity; now: Date; rolledTo: Date | null; reroll: number; floor: Date }): { from: Date; to: Date } | null {
  const to = floorTo(p.g, p.now);
  const floor = ceilTo(p.g, p.floor).getTime();
  const recent = shift(p.g, to, -p.reroll).getTime();
  const start = p.rolledTo === null ? floor : Math.min(floorTo(p.g, p.rolledTo).getTime(), recent);
  const from = new Date(Math.max(start, floor));
  return from < to ? { from, to } : null;
}

/** [from, to) cut into the statements of CHUNK_BUCKETS buckets each, oldest first. */
export function chunks(g: Granularity, from: Date, to: Date): Array<{ from: Date; to: Date }> {
  const out: Array<{ from: Date; to: Date }> = [];
  for (let s = floorTo(g, from); s < to; s = shift(g, s, CHUNK_BUCKETS[g])) {
    out.push({ from: s, to: new Date(Math.min(shift(g, s, CHUNK_BUCKETS[g]).getTime(), to.getTime())) });
  }
  return out;
}

export interface RangeIssue {
  readonly path: 'from' | 'to';
  readonly message: string;
}

/**
 * A read range, aligned outward to whole buckets ([floor(from), ceil(to))). Without `to`: up to
 * the start of the current bucket (closed buckets only; the open one has no rollup yet); without
 * `from`: DEFAULT_SPAN_MS before `to`. An empty or reversed range, or one of more than
 * MAX_BUCKETS buckets, is an issue naming the parameter.
 */
export function resolveRange(q: { granularity: Granularity; from?: Date; to?: Date }, now: Date): { from: Date; to: Date; buckets: number } | RangeIssue {
  const g = q.granularity;
  const to = q.to ? ceilTo(g, q.to) : floorTo(g, now);
  const from = q.from ? floorTo(g, q.from) : new Date(to.getTime() - DEFAULT_SPAN_MS[g]);
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) return { path: 'from', message: 'must be before to' };
  // Only `from` given, at or after the current bucket's start: nothing closed to show.
  if (from >= to) return { path: 'from', message: `must be before to (without to: before the current ${g}'s start, ${to.toISOString()})` };
  const buckets = Math.round((to.getTime() - from.getTime()) / BUCKET_MS[g]);
  if (buckets > MAX_BUCKETS) {
    return { path: 'from', message: `the range holds ${buckets} ${g} buckets, at most ${MAX_BUCKETS} are allowed: narrow it or pick a coarser granularity` };
  }
  return { from, to, buckets };
}

/**
 * One stored bucket as the repository reads it, as a tuple (the read is one JSON array from
 * PostgreSQL: parsing 2,160 rows field by field cost more than the rest of the request): its start
 * (epoch ms), counts, and percentiles in ms (null: no row of the bucket had the value).
 */
export type BucketRow = readonly [
  startMs: number, completed: number, failed: number,
  waitP50: number | null, waitP95: number | null, waitP99: number | null,
  runP50: number | null, runP95: number | null, runP99: number | null,
];

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface MetricsBucket {
  start: string;
  completed: number;
  failed: number;
  /** Jobs finished (completed + failed) per second over the whole bucket. */
  throughput: number;
  waitMs: Percentiles | null;
  runMs: Percentiles | null;
}

const ms = (v: number) => Math.round(v * 100) / 100;
// percentile_cont gives the three or none (no row of the bucket had the value).
const percentiles = (p50: number | null, p95: number | null, p99: number | null): Percentiles | null =>
  p50 === null ? null : { p50: ms(p50), p95: ms(p95!), p99: ms(p99!) };

/** Jobs per second over a bucket of `g`, to 6 significant digits. */
export const throughputOf = (g: Granularity, jobs: number): number => Number((jobs / (BUCKET_MS[g] / 1000)).toPrecision(6));

/**
 * Every bucket of [from, to), oldest first: the stored ones as they are, the others zero with null
 * percentiles. `rows` are in start order (one pass, no lookup table).
 */
export function fillBuckets(g: Granularity, from: Date, to: Date, rows: readonly BucketRow[]): MetricsBucket[] {
  const out: MetricsBucket[] = [];
  let i = 0;
  for (let t = floorTo(g, from).getTime(); t < to.getTime(); t += BUCKET_MS[g]) {
    while (i < rows.length && rows[i]![0] < t) i++;
    const start = new Date(t).toISOString();
    const r = rows[i];
    if (r?.[0] !== t) {
      out.push({ start, completed: 0, failed: 0, throughput: 0, waitMs: null, runMs: null });
      continue;
    }
    out.push({ start, completed: r[1], failed: r[2], throughput: throughputOf(g, r[1] + r[2]), waitMs: percentiles(r[3], r[4], r[5]), runMs: percentiles(r[6], r[7], r[8]) });
  }
  return out;
}
