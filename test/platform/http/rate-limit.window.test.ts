import { describe, expect, it } from 'vitest';
import { rateResult, rateWindow } from '../../../src/platform/http/rate-limit.window.js';

// The window arithmetic of the rate limiter, without Redis: the app-level tests are in ../rate-limit.test.ts.

const MINUTE_START = Date.UTC(2025, 0, 15, 9, 30, 0); // a minute boundary, in ms
const minuteSec = MINUTE_START / 1000;

describe('rateWindow', () => {
  it('puts the first and the last millisecond of a minute in the same window, ending at the next minute', () => {
    expect(rateWindow(60, MINUTE_START)).toEqual({ bucket: minuteSec / 60, reset: minuteSec + 60 });
    expect(rateWindow(60, MINUTE_START + 59_999)).toEqual({ bucket: minuteSec / 60, reset: minuteSec + 60 });
  });

  it('starts the next window at the boundary itself', () => {
    expect(rateWindow(60, MINUTE_START + 60_000)).toEqual({ bucket: minuteSec / 60 + 1, reset: minuteSec + 120 });
    expect(rateWindow(60, MINUTE_START - 1)).toEqual({ bucket: minuteSec / 60 - 1, reset: minuteSec });
  });

  it('follows the window length, not a fixed minute', () => {
    // 09:30:00 is a multiple of 10 s and of 15 min: windows of those lengths start there too.
    expect(rateWindow(10, MINUTE_START + 9_999)).toEqual({ bucket: minuteSec / 10, reset: minuteSec + 10 });
    expect(rateWindow(10, MINUTE_START + 10_000)).toEqual({ bucket: minuteSec / 10 + 1, reset: minuteSec + 20 });
    expect(rateWindow(900, MINUTE_START + 899_999)).toEqual({ bucket: minuteSec / 900, reset: minuteSec + 900 });
  });

  it('gives whole window numbers (they name the Redis key)', () => {
    expect(Number.isInteger(rateWindow(60, MINUTE_START + 12_345).bucket)).toBe(true);
    expect(rateWindow(7, 1_000 * 7 * 3 + 6_999)).toEqual({ bucket: 3, reset: 28 });
  });
});

describe('rateResult', () => {
  const reset = minuteSec + 60;

  it('allows up to the limit, the limit-th request included, with what remains', () => {
    expect(rateResult(1, 10, reset, MINUTE_START)).toEqual({ allowed: true, limit: 10, remaining: 9, reset, retryAfter: 60 });
    expect(rateResult(10, 10, reset, MINUTE_START)).toEqual({ allowed: true, limit: 10, remaining: 0, reset, retryAfter: 60 });
  });

  it('refuses past the limit, never with a negative remainder', () => {
    expect(rateResult(11, 10, reset, MINUTE_START)).toEqual({ allowed: false, limit: 10, remaining: 0, reset, retryAfter: 60 });
    expect(rateResult(500, 10, reset, MINUTE_START)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('retries after the seconds left in the window, rounding the current second down', () => {
    expect(rateResult(11, 10, reset, MINUTE_START + 45_000).retryAfter).toBe(15);
    expect(rateResult(11, 10, reset, MINUTE_START + 45_999).retryAfter).toBe(15);
    expect(rateResult(11, 10, reset, MINUTE_START + 58_001).retryAfter).toBe(2);
  });

  it('never asks to retry after less than a second, even in the last one or past the end', () => {
    expect(rateResult(11, 10, reset, MINUTE_START + 59_999).retryAfter).toBe(1);
    expect(rateResult(11, 10, reset, MINUTE_START + 60_000).retryAfter).toBe(1);
    expect(rateResult(11, 10, reset, MINUTE_START + 75_000).retryAfter).toBe(1);
  });
});
