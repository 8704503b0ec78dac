import type { RedisClient } from '../redis/connection.js';

import { rateLimitKey } from '../redis/keys.js';
import { rateResult, rateWindow } from './rate-limit.window.js';

export interface RateLimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Unix seconds at which the current window ends. */
  readonly reset: number;
  readonly retryAfter: number;
}

// INCR and the first EXPIRE in one round trip, atomically, so every API process shares one count.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

// Takes back one counted attempt, unless its window has already gone (never below a fresh zero).
const RELEASE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`;

// The pace: the key holds when the next caller may pass (in ms); 0 when this caller passes (and
// takes the interval), else how many ms are left. The TTL only collects the key. The time is Redis's
// own (one clock for every API process: theirs may be seconds apart) unless a clock is injected
// (ARGV[1] not empty: tests drive it).
const PACE_SCRIPT = `
local now = tonumber(ARGV[1])
if not now then local t = redis.call('TIME'); now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local next = tonumber(redis.call('GET', KEYS[1]) or '0')
if next > now then return next - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', ARGV[2])
return 0`;

/** Fixed-window counters in Redis, keyed by limit name, subject and window number. */
type ScriptedRedis = RedisClient & {
  heraldRateHit(key: string, ttl: number): Promise<number>;
  heraldRateRelease(key: string): Promise<number>;
  heraldRatePace(key: string, now: number | '', intervalMs: number): Promise<number>;
};

/** A counted attempt that can be taken back when it turns out not to count (a sign-in that succeeded). */
export interface Reservation {
  readonly result: RateLimitResult;
  release(): Promise<void>;
}

export interface RateLimiterDeps {
  readonly redis: RedisClient;
  /** The Redis key prefix (QUEUE_PREFIX). */
  readonly prefix: string;
  /**
   * The wall clock the windows follow (Date.now by default; tests drive their own). The pace (one
   * caller per interval, across processes) follows Redis's clock unless one is injected here.
   */
  readonly now?: () => number;
}

export class RateLimiter {
  private readonly redis: ScriptedRedis;

  private readonly prefix: string;

  /** The injected clock, if any: without one the windows read Date.now and the pace Redis's clock. */
  private readonly clock: (() => number) | undefined;

  constructor({ redis, prefix, now }: RateLimiterDeps) {
    this.prefix = prefix;
    this.clock = now;
    // defineCommand sends EVALSHA, falling back to EVAL once per connection.
    redis.defineCommand('heraldRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.defineCommand('heraldRateRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    redis.defineCommand('heraldRatePace', { numberOfKeys: 1, lua: PACE_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  private now(): number {
    return this.clock ? this.clock() : Date.now();
  }

  /** Counts one request and says whether it is within the limit. */
  async hit(name: string, subject: string, limit: number, windowSec = 60, now = this.now()): Promise<RateLimitResult> {
    return (await this.reserve(name, subject, limit, windowSec, now)).result;
  }

  /**
   * Counts the attempt first and then says whether it is within the limit (increment-then-check in
   * one atomic step): of N parallel attempts at most `limit` are allowed, whatever their timing.
   * `release` uncounts it, in the same window only.
   */
  async reserve(name: string, subject: string, limit: number, windowSec = 60, now = this.now()): Promise<Reservation> {
    const { bucket, reset } = rateWindow(windowSec, now);
    const key = rateLimitKey(this.prefix, name, subject, bucket);
    const count = Number(await this.redis.heraldRateHit(key, windowSec + 1));
    return { result: rateResult(count, limit, reset, now), release: async () => { await this.redis.heraldRateRelease(key); } };
  }

  /** A shared pace: at most one caller per `intervalMs` is allowed (atomic across processes). */
  async pace(name: string, subject: string, intervalMs: number, now = this.clock?.()): Promise<{ allowed: boolean; retryAfter: number }> {
    const key = rateLimitKey(this.prefix, name, subject);
    const waitMs = Number(await this.redis.heraldRatePace(key, now ?? '', intervalMs));
    if (waitMs <= 0) return { allowed: true, retryAfter: 0 };
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

export function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  return {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(r.remaining),
    'x-ratelimit-reset': String(r.reset),
  };
}
