/** Pure UTC period arithmetic of analytics: rollup periods, schedules, tiling of read ranges. */

import type { AggregationJobType } from '../platform/db/schema.js';

export type PeriodType = AggregationJobType;
export type Granularity = 'hour' | 'day' | 'week' | 'month';

export const PERIOD_TYPES: readonly PeriodType[] = ['hourly', 'daily', 'weekly', 'monthly'];
export const GRANULARITY_PERIOD: Readonly<Record<Granularity, PeriodType>> = { hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const RANK: Readonly<Record<PeriodType, number>> = { hourly: 0, daily: 1, weekly: 2, monthly: 3 };

/** The start of the period of `type` containing `at` (ISO weeks: Monday 00:00 UTC). */
export function periodStartOf(type: PeriodType, at: Date): Date {
  const t = at.getTime();
  switch (type) {
    case 'hourly':
      return new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
    case 'daily':
      return new Date(Math.floor(t / DAY_MS) * DAY_MS);
    case 'weekly': {
      const day = Math.floor(t / DAY_MS);
      // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
      return new Date((day - ((day + 3) % 7)) * DAY_MS);
    }
    case 'monthly':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  }
}

/** The start of the period `n` periods after the one starting at `start` (n may be negative). */
export function shiftPeriod(type: PeriodType, start: Date, n: number): Date {
  switch (type) {
    case 'hourly':
      return new Date(start.getTime() + n * HOUR_MS);
    case 'daily':
      return new Date(start.getTime() + n * DAY_MS);
    case 'weekly':
      return new Date(start.getTime() + n * 7 * DAY_MS);
    case 'monthly':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
  }
}

export const periodEndOf = (type: PeriodType, start: Date): Date => shiftPeriod(type, start, 1);
export const isAligned = (type: PeriodType, at: Date): boolean => periodStartOf(type, at).getTime() === at.getTime();

/**
 * The period a scheduled run closes: the one before the period its scheduled time falls in
 * (hourly at 10:05 → 09:00–10:00; daily at 00:10 → yesterday; weekly on Monday → last week;
 * monthly on the 2nd → last month).
 */
export function previousPeriod(type: PeriodType, scheduledAt: Date): Date {
  return shiftPeriod(type, periodStartOf(type, scheduledAt), -1);
}

/** Every period of `type` that overlaps [from, to), in order. */
export function periodsOverlapping(type: PeriodType, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  for (let s = periodStartOf(type, from); s < to; s = shiftPeriod(type, s, 1)) out.push(s);
  return out;
}

/** Days since the epoch: the key of the per-day advisory locks shared by ingestion and rollups. */
export const dayNumber = (at: Date): number => Math.floor(at.getTime() / DAY_MS);

/** `202510` for October 2025: the suffix of that month's events partition. */
export const monthKey = (at: Date): string => `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

/** A compact period key for job ids and logs: `hourly-2025101809`, `monthly-202510`. */
export function periodKey(type: PeriodType, start: Date): string {
  const iso = start.toISOString();
  const digits = iso.slice(0, 13).replace(/[-T]/g, '');
  return `${type}-${type === 'hourly' ? digits : type === 'monthly' ? digits.slice(0, 6) : digits.slice(0, 8)}`;
}

/** `YYYY-MM-DD` → midnight UTC, or null when it is not a real calendar date. */
export function parseDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : d;
}

/** A piece of a read range answered by rollup rows of one type (`hours` spans read hourly rows). */
export type Tile = { kind: 'period'; type: Exclude<PeriodType, 'hourly'>; start: Date } | { kind: 'hours'; start: Date; end: Date };

/**
 * Covers [from, to) (whole days) with the coarsest rollups that exist, up to `maxType`: complete
 * months, then ISO weeks, then days; a day whose daily rollup has not completed yet (today, or
 * before its run) is read from its hourly rows. Additive metrics are exact under any tiling; the
 * coarse tiles only make reads shorter. A week that would cross into a usable month is skipped so
 * that the month can be used whole.
 */
export function tileRange(from: Date, to: Date, maxType: PeriodType, isDone: (type: PeriodType, start: Date) => boolean): Tile[] {
  if (maxType === 'hourly') return [{ kind: 'hours', start: from, end: to }];
  const allowed = (type: PeriodType) => RANK[type] <= RANK[maxType];
  const usable = (type: PeriodType, at: Date) =>
    allowed(type) && isAligned(type, at) && periodEndOf(type, at) <= to && isDone(type, at);
  const tiles: Tile[] = [];
  let c = from;
  while (c < to) {
    let type: Exclude<PeriodType, 'hourly'> | null = null;
    if (usable('monthly', c)) type = 'monthly';
    else if (usable('weekly', c)) {
      const nextMonth = periodEndOf('monthly', periodStartOf('monthly', c));
      const crosses = nextMonth < periodEndOf('weekly', c);
      if (!(crosses && usable('monthly', nextMonth))) type = 'weekly';
    }
    if (!type && usable('daily', c)) type = 'daily';
    if (type) {
      tiles.push({ kind: 'period', type, start: c });
      c = periodEndOf(type, c);
      continue;
    }
    const end = new Date(Math.min(periodEndOf('daily', periodStartOf('daily', c)).getTime(), to.getTime()));
    const last = tiles.at(-1);
    if (last?.kind === 'hours' && last.end.getTime() === c.getTime()) last.end = end;
    else tiles.push({ kind: 'hours', start: c, end });
    c = end;
  }
  return tiles;
}

/** The series buckets of [from, to) at a granularity: period starts, the first clipped to `from`. */
export function buckets(granularity: Granularity, from: Date, to: Date): Date[] {
  const type = GRANULARITY_PERIOD[granularity];
  return periodsOverlapping(type, from, to).map((s) => (s < from ? from : s));
}

/** The bucket a row starting at `at` belongs to. */
export function bucketOf(granularity: Granularity, at: Date, from: Date): Date {
  const s = periodStartOf(GRANULARITY_PERIOD[granularity], at);
  return s < from ? from : s;
}

/** Whether a bucket is one whole period of its granularity inside [from, to). */
export function isWholeBucket(granularity: Granularity, bucket: Date, to: Date): boolean {
  const type = GRANULARITY_PERIOD[granularity];
  return isAligned(type, bucket) && periodEndOf(type, bucket) <= to;
}
