/**
 * A clock the test drives instead of waiting for the wall clock: the app's rate-limit windows, the
 * login throttle's and the analytics event quota follow it (`createTestApp(env, { now: clock.now })`).
 * It stands still until `advance` moves it.
 */
export interface TestClock {
  /** Milliseconds since the epoch, as Date.now. */
  readonly now: () => number;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** Moves the clock to the start of the next window of `windowMs` (a minute, 15 minutes, an hour…). */
  nextWindow(windowMs: number): void;
}

const HOUR_MS = 3_600_000;

/**
 * Starts at the beginning of a whole hour (so of every minute, quarter-hour and hour window) at
 * least an hour ahead of the real time: a window's reset is always in the real future too.
 */
export function createClock(start = (Math.floor(Date.now() / HOUR_MS) + 2) * HOUR_MS): TestClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      if (!(ms >= 0)) throw new Error(`a clock only moves forward (advance(${ms}))`);
      current += ms;
    },
    nextWindow(windowMs) {
      current = (Math.floor(current / windowMs) + 1) * windowMs;
    },
  };
}
