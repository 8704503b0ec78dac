import type { Platform } from '../platform/module.js';
import type { HealthRepository } from './health.repository.js';

export type UpDown = 'up' | 'down';

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export interface HealthServiceDeps extends Pick<Platform, 'redis'> {
  readonly database: HealthRepository;
  /** How long each check may take before it counts as down; 1.5 s by default. */
  readonly timeoutMs?: number;
}

/** Reachability of the two dependencies, each checked with a short timeout. */
export class HealthService {
  constructor(private readonly deps: HealthServiceDeps) {}

  private get timeoutMs(): number {
    return this.deps.timeoutMs ?? 1_500;
  }

  async postgres(): Promise<UpDown> {
    try {
      await within(this.deps.database.ping(), this.timeoutMs);
      return 'up';
    } catch {
      return 'down';
    }
  }

  async redisStatus(): Promise<UpDown> {
    try {
      return (await within(this.deps.redis.ping(), this.timeoutMs)) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async check() {
    const [postgres, redis] = await Promise.all([this.postgres(), this.redisStatus()]);
    return { status: postgres === 'up' && redis === 'up' ? ('ok' as const) : ('unavailable' as const), postgres, redis };
  }
}
