/**
 * Quiet hours (issue 17): a daily window of wall-clock time in the user's zone during which
 * IMMEDIATE emails wait. Pure time arithmetic, unit-tested (test/notifications/quiet-hours.test.ts)
 * and mutation-tested; the delivery job decides with it (DeliveryService).
 *
 * Each local calendar day D has one window: from D's `start` until the next `end` (on D when
 * end > start, on D + 1 when the window crosses midnight). A wall time is taken as the first
 * instant the local clock reads it or later, so across a DST change:
 *   - a time that does not exist (the skipped hour of a spring-forward day) is the jump itself:
 *     quiet hours ending at 02:30 in Paris on that day end at 03:00 CEST, when the clock passes 02:30;
 *   - a time that exists twice (the repeated hour of a fall-back day) is its first occurrence, and
 *     the repeated hour after it does not open the window again (no new `start` comes).
 * start = end is an empty window (the API refuses it: a whole day of silence is "email off").
 */

/** A time of day as the API takes it: "HH:MM", 00:00 to 23:59. */
export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Local times of day, "HH:MM" (PostgreSQL's "HH:MM:SS" reads the same). */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

export interface QuietState {
  /** Whether the instant is inside a window. */
  readonly inside: boolean;
  /** The end of that window, else of the next one: the next local `end` after the instant. */
  readonly endsAt: Date;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatter = (tz: string): Intl.DateTimeFormat => {
  let f = formatters.get(tz);
  // Stryker disable next-line ConditionalExpression: equivalent, the cache only saves building a formatter; a new one reads the same clock
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
};

/** Minutes after midnight of "HH:MM" (or "HH:MM:SS"). */
export const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** The local clock in `tz` at instant `t` (ms), to the second, as the ms of those digits read as UTC. */
export function wallClock(t: number, tz: string): number {
  const parts = Object.fromEntries(formatter(tz).formatToParts(new Date(t)).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * The first instant (ms) at which the local clock in `tz` reads `wall` (local digits as UTC ms,
 * whole seconds) or later: the instant of a time that exists once, the earlier of a time that
 * exists twice, the moment of the jump over a time that does not exist.
 */
export function firstInstantAt(wall: number, tz: string): number {
  // The zone's offsets a day either side and at the time itself: one of them is the offset in force.
  const offsets = [wall - DAY_MS, wall, wall + DAY_MS].map((t) => wallClock(t, tz) - t);
  const exact = offsets.map((offset) => wall - offset).filter((t) => wallClock(t, tz) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped: the clock jumps over `wall` between these two instants (before: earlier, after: later).
  let before = wall - Math.max(...offsets);
  let after = wall - Math.min(...offsets);
  while (after - before > SECOND_MS) {
    const mid = before + Math.floor((after - before) / 2 / SECOND_MS) * SECOND_MS;
    // Stryker disable next-line EqualityOperator: equivalent, the clock never reads a skipped `wall` (> and >= agree)
    if (wallClock(mid, tz) >= wall) after = mid;
    else before = mid;
  }
  return after;
}

/**
 * Whether `at` is inside the quiet hours in `tz`, and when they end (the window's end, or the next
 * window's when outside). The window of the day before comes first: one crossing midnight may
 * still be open.
 */
export function quietHoursAt(at: Date, tz: string, hours: QuietHours): QuietState {
  const start = minutesOf(hours.start) * MINUTE_MS;
  const end = minutesOf(hours.end) * MINUTE_MS;
  const now = at.getTime();
  const today = Math.floor(wallClock(now, tz) / DAY_MS) * DAY_MS;
  for (let day = today - DAY_MS; ; day += DAY_MS) {
    const until = firstInstantAt(day + (end < start ? DAY_MS : 0) + end, tz);
    if (until > now) return { inside: firstInstantAt(day + start, tz) <= now, endsAt: new Date(until) };
  }
}
