// The fixed-window arithmetic of the rate limiter, pure so it is unit-tested (and mutation-tested)
// without Redis: which window `now` falls in, when it ends, and what a count in it means.

import type { RateLimitResult } from './rate-limit.js';

/** The window `now` (ms) falls in: its number and the Unix second at which it ends. */
export function rateWindow(windowSec: number, now: number): { bucket: number; reset: number } {
  const bucket = Math.floor(now / 1000 / windowSec);
  return { bucket, reset: (bucket + 1) * windowSec };
}

/** What the `count`th request of a window ending at `reset` gets, at `now` (ms). */
export function rateResult(count: number, limit: number, reset: number, now: number): RateLimitResult {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    reset,
    retryAfter: Math.max(1, reset - Math.floor(now / 1000)),
  };
}
