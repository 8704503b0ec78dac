import type { Redis } from 'ioredis';

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

const PEEK_SCRIPT = `return tonumber(redis.call('GET', KEYS[1]) or '0')`;

/** Fixed-window counters in Redis, keyed by limit name, subject and window number. */
type ScriptedRedis = Redis & {
  heraldRateHit(key: string, ttl: number): Promise<number>;
  heraldRatePeek(key: string): Promise<number>;
};

export class RateLimiter {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis, private readonly prefix: string) {
    // defineCommand sends EVALSHA, falling back to EVAL once per connection.
    redis.defineCommand('heraldRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.defineCommand('heraldRatePeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  private window(windowSec: number, now: number) {
    const bucket = Math.floor(now / 1000 / windowSec);
    return { bucket, reset: (bucket + 1) * windowSec };
  }

  private result(count: number, limit: number, reset: number, now: number): RateLimitResult {
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      reset,
      retryAfter: Math.max(1, reset - Math.floor(now / 1000)),
    };
  }

  private key(name: string, subject: string, bucket: number) {
    return `${this.prefix}:rl:${name}:${subject}:${bucket}`;
  }

  /** Counts one request and says whether it is within the limit. */
  async hit(name: string, subject: string, limit: number, windowSec = 60, now = Date.now()): Promise<RateLimitResult> {
    const { bucket, reset } = this.window(windowSec, now);
    const count = Number(await this.redis.heraldRateHit(this.key(name, subject, bucket), windowSec + 1));
    return this.result(count, limit, reset, now);
  }

  /** Reads the count without adding to it (failed-login limits count only failures). */
  async peek(name: string, subject: string, limit: number, windowSec = 60, now = Date.now()): Promise<RateLimitResult> {
    const { bucket, reset } = this.window(windowSec, now);
    const count = Number(await this.redis.heraldRatePeek(this.key(name, subject, bucket)));
    return { ...this.result(count, limit, reset, now), allowed: count < limit };
  }
}

export function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  return {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(r.remaining),
    'x-ratelimit-reset': String(r.reset),
  };
}
