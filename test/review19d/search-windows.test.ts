import { describe, expect, it } from 'vitest';
import { historyWindows, type TimeWindow } from '../../src/job-console/search.rules.js';

// Review 19d of eac32b5 (history slices on UTC midnights): whatever the anchor, from, to and
// JOB_HISTORY_DAYS, the slices cover [from, to] exactly once (a row in two slices is counted and
// shown twice, one in none is missed), newest first, and those before the anchor's day start on
// midnights. Random cases from a fixed seed, around midnights and 4-hour marks, far past and future.
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What is wrong with the slices of one case, if anything. */
function problems(now: number, from: number | null, to: number | null, days: number, ws: TimeWindow[]): string[] {
  const out: string[] = [];
  const anchor = to === null ? now : Math.min(to, now);
  // The sub-day slices end in the day of the anchor less four hours (the first slice is four hours).
  const today = anchor - 4 * HOUR - ((((anchor - 4 * HOUR) % DAY) + DAY) % DAY);
  if (ws.length === 0) return ['no slice'];
  if (ws[0]!.hi !== to || ws[0]!.hiInclusive !== (to !== null)) out.push('the first slice does not end at to');
  if (ws.at(-1)!.lo !== from) out.push('the last slice does not start at from');
  ws.forEach((w, i) => {
    if (i > 0 && (w.hi !== ws[i - 1]!.lo || w.hiInclusive)) out.push(`slice ${i} does not end where slice ${i - 1} starts`);
    if (w.lo !== null && w.hi !== null && (w.hiInclusive ? w.lo > w.hi : w.lo >= w.hi)) out.push(`slice ${i} is empty or reversed`);
    if (i < ws.length - 1 && w.lo! < today && w.lo! % DAY !== 0) out.push(`slice ${i} starts off midnight before the anchor's day`);
    if (i === 0 && w.lo !== null && w.lo !== from && w.lo !== anchor - 4 * HOUR) out.push('the first slice is not the four hours before the anchor');
  });
  // About a dozen slices for JOB_HISTORY_DAYS (the doubling), however far back they reach.
  if (ws.length > 8 + Math.ceil(Math.log2(days + 2))) out.push(`${ws.length} slices for ${days} days`);
  return out;
}

describe('historyWindows', () => {
  it('covers [from, to] exactly once, newest first, for 50,000 cases around midnights and 4-hour marks', () => {
    const rnd = random(19);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const base = Date.UTC(2026, 11, 7, 9, 40);
    const near = (ms: number) => pick([ms, ms - (ms % DAY), ms - (ms % DAY) - 1, ms - (ms % DAY) + 1, ms - (ms % (4 * HOUR)), ms - (ms % (4 * HOUR)) - 1]);
    const failures: string[] = [];
    for (let i = 0; i < 50_000 && failures.length < 5; i++) {
      const now = near(base + Math.floor((rnd() - 0.5) * 6 * DAY));
      const to = rnd() < 0.3 ? null : near(now + Math.floor((rnd() - 0.9) * 60 * DAY));
      let from = rnd() < 0.4 ? null : near((to ?? now) - Math.floor((rnd() - 0.05) * 70 * DAY));
      if (from !== null && to !== null && from > to) from = to - Math.floor(rnd() * 10 * DAY);
      const days = pick([1, 2, 7, 30, 90, 365, 3_650]);
      const found = problems(now, from, to, days, historyWindows(now, { from, to }, days));
      if (found.length) failures.push(`${JSON.stringify({ now: new Date(now), from: from && new Date(from), to: to && new Date(to), days })}: ${found.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('far past and far future bounds (the dates the API accepts) give well-formed slices', () => {
    const now = Date.UTC(2026, 11, 7, 0, 0, 0, 1);
    const dates = ['0000-01-01', '0001-01-01', '1969-12-31T23:59:59.999Z', '1970-01-01', '9999-12-31T23:59:59.999Z'].map(Date.parse);
    for (const from of [null, ...dates]) {
      for (const to of [null, ...dates]) {
        if (from !== null && to !== null && from > to) continue;
        for (const days of [1, 3_650]) expect(problems(now, from, to, days, historyWindows(now, { from, to }, days)), JSON.stringify({ from, to, days })).toEqual([]);
      }
    }
  });
});
