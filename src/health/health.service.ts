import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../platform/db/client.js';

export type UpDown = 'up' | 'down';

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** Reachability of the two dependencies, each checked with a short timeout. */
export class HealthService {
  constructor(private readonly db: Db, private readonly redis: Redis, private readonly timeoutMs = 1_500) {}

  async postgres(): Promise<UpDown> {
    try {
      await within(sql`SELECT 1`.execute(this.db), this.timeoutMs);
      return 'up';
    } catch {
      return 'down';
    }
  }

  async redisStatus(): Promise<UpDown> {
    try {
      return (await within(this.redis.ping(), this.timeoutMs)) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async check() {
    const [postgres, redis] = await Promise.all([this.postgres(), this.redisStatus()]);
    return { status: postgres === 'up' && redis === 'up' ? ('ok' as const) : ('unavailable' as const), postgres, redis };
  }
}
