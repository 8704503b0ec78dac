/**
 * Pure time arithmetic of digests: local clocks and period keys (unit-tested). Who is due a digest
 * at a given instant is decided in SQL only (DigestsRepository.recipientsPage), tested through runs.
 */

export type DigestKind = 'DAILY' | 'WEEKLY';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday: Monday 1 … Sunday 7. */
  isoWeekday: number;
}

/** The wall clock in `tz` at `at` (DST included, from the platform's time zone database). */
export function localTime(at: Date, tz = 'UTC'): LocalTime {
  let f = formatters.get(tz);
  // Stryker disable next-line ConditionalExpression: equivalent, the cache only saves building a formatter; a new one reads the same clock
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), isoWeekday: WEEKDAYS.indexOf(parts.weekday!) + 1,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 week of a calendar date: [week-year, week]. */
export function isoWeek(year: number, month: number, day: number): [number, number] {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return [date.getUTCFullYear(), Math.ceil(((date.getTime() - yearStart) / DAY_MS + 1) / 7)];
}

/** The period a digest belongs to, in the user's own calendar: `2025-10-18` or `2025-W42`. */
export function periodKey(kind: DigestKind, runAt: Date, tz = 'UTC'): string {
  const t = localTime(runAt, tz);
  if (kind === 'DAILY') return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  const [year, week] = isoWeek(t.year, t.month, t.day);
  return `${year}-W${pad(week)}`;
}
