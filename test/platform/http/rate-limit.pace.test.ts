import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/platform/http/rate-limit.js';
import type { RedisClient } from '../../../src/platform/redis/connection.js';
import { deleteRedisPrefix } from '../../helpers/context.js';
import { testRedis } from '../../helpers/redis.js';

// The login throttle's slow lane (one password check per interval for a slowed account) across API
// processes whose wall clocks disagree. Every process shares Redis; none shares a clock with another.

const INTERVAL_MS = 600_000;
const prefixes: string[] = [];
const clients: RedisClient[] = [];

/** One API process's limiter, on its own connection, under its own (default: the real) clock. */
function process_(prefix: string): RateLimiter {
  const redis = testRedis();
  clients.push(redis);
  return new RateLimiter({ redis, prefix });
}

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await Promise.all(prefixes.map((p) => deleteRedisPrefix(p)));
});

describe('RateLimiter.pace across processes with skewed clocks (production: no injected clock)', () => {
  it('a process whose clock runs ahead does not pass a second check inside the interval', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const a = process_(prefix);

    expect((await a.pace('login.slow', 'victim@example.com', INTERVAL_MS)).allowed).toBe(true);

    // Process B's wall clock is a whole interval ahead of A's (or its NTP jumped): no time has passed.
    const real = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(real + INTERVAL_MS);
    const b = process_(prefix); // started under its own clock
    const second = await b.pace('login.slow', 'victim@example.com', INTERVAL_MS);
    expect(second.allowed).toBe(false);
    expect(second.retryAfter).toBeGreaterThan(INTERVAL_MS / 1000 - 60);
  });

  it('a few seconds of skew do not shorten the interval', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const real = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(real - 5_000);
    const behind = process_(prefix);
    expect((await behind.pace('login.slow', 'v@example.com', INTERVAL_MS)).allowed).toBe(true);
    // A process 10 s ahead of it, a moment later (far inside the interval), reads its own clock.
    vi.spyOn(Date, 'now').mockReturnValue(real + 5_000);
    const ahead = process_(prefix);
    const second = await ahead.pace('login.slow', 'v@example.com', INTERVAL_MS);
    expect(second.allowed).toBe(false);
    // Even where that process's clock says the interval is nearly over.
    vi.spyOn(Date, 'now').mockReturnValue(real + INTERVAL_MS - 5_000 + 1);
    const late = process_(prefix);
    expect((await late.pace('login.slow', 'v@example.com', INTERVAL_MS)).allowed).toBe(false);
  });

  it('many parallel checks from two processes: exactly one passes', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const a = process_(prefix);
    const b = process_(prefix);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).pace('login.slow', 'p@example.com', INTERVAL_MS)));
    expect(results.filter((r) => r.allowed)).toHaveLength(1);
    for (const r of results.filter((x) => !x.allowed)) expect(r.retryAfter).toBeGreaterThanOrEqual(INTERVAL_MS / 1000 - 60);
  });
});
