import type { RedisClient } from '../platform/redis/connection.js';
import { RateLimitedError } from '../platform/errors.js';
import { rateLimitKey } from '../platform/redis/keys.js';

// Adds the request's events to the window's count and takes them back if that passes the cap, in
// one atomic step: of parallel requests, exactly those that fit are let through.
const TAKE_SCRIPT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if n > tonumber(ARGV[2]) then redis.call('DECRBY', KEYS[1], ARGV[1]) return -1 end
return n`;

type ScriptedRedis = RedisClient & { heraldEventQuota(key: string, n: number, limit: number, ttl: number): Promise<number> };

/** A cap on the events one user may send per fixed window (ANALYTICS_USER_EVENTS_PER_HOUR), shared by every API process. */
export interface EventQuotaDeps {
  readonly redis: RedisClient;
  /** The Redis key prefix (QUEUE_PREFIX). */
  readonly prefix: string;
  readonly perHour: number;
  /** RATE_LIMITS_ENABLED: off, nothing is counted. */
  readonly enabled: boolean;
  /** The wall clock the hourly windows follow (Date.now; tests drive their own). */
  readonly now?: () => number;
}

export class EventQuota {
  private readonly redis: ScriptedRedis;

  constructor(private readonly deps: EventQuotaDeps) {
    deps.redis.defineCommand('heraldEventQuota', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis = deps.redis as ScriptedRedis;
  }

  /** Counts `n` events for the user, or throws 429 (counting nothing) when they would pass the cap. */
  async take(userId: string, n: number, now = (this.deps.now ?? Date.now)()): Promise<void> {
    if (!this.deps.enabled || n === 0) return;
    const windowSec = 3600;
    const bucket = Math.floor(now / 1000 / windowSec);
    const total = Number(await this.redis.heraldEventQuota(rateLimitKey(this.deps.prefix, 'analytics.events', userId, bucket), n, this.deps.perHour, windowSec + 1));
    if (total < 0) {
      const reset = (bucket + 1) * windowSec;
      throw new RateLimitedError({ 'retry-after': Math.max(1, reset - Math.floor(now / 1000)), 'x-ratelimit-limit': this.deps.perHour, 'x-ratelimit-reset': reset });
    }
  }
}
