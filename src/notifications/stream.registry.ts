import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../platform/redis/connection.js';
import { streamRegistryKey } from '../platform/redis/keys.js';

// Registers a stream in its user's set and returns the streams past the newest `max` (removed
// from the set at once), oldest first. Members sort by open time (`<ms>:<seq>:<uuid>`, zero-padded);
// scores are the last time their process said they were alive, and the stale are dropped first.
const REGISTER = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
table.sort(members)
local evict = {}
for i = 1, #members - tonumber(ARGV[4]) do evict[i] = members[i] end
if #evict > 0 then redis.call('ZREM', KEYS[1], unpack(evict)) end
return evict`;

// Keeps a stream alive in its user's set if it is still there (1); 0 when it is not (evicted
// without its process hearing of it, dropped as stale, or the set lost with Redis's data).
const REFRESH = `
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

let opened = 0;

type ScriptedRedis = RedisClient & {
  heraldStreamRegister(key: string, now: number, staleMs: number, member: string, max: number): Promise<string[]>;
  heraldStreamRefresh(key: string, now: number, staleMs: number, member: string): Promise<number>;
};

/**
 * The event streams of every user across API processes (a sorted set per user in Redis), so
 * SSE_MAX_PER_USER holds for the user, not per process. A process that dies leaves its entries to
 * go stale after `staleMs` without a refresh.
 */
export interface StreamRegistryDeps {
  /** The command connection (the Lua scripts are defined on it). */
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly staleMs: number;
  readonly maxPerUser: number;
}

export class StreamRegistry {
  private readonly redis: ScriptedRedis;

  constructor(private readonly deps: StreamRegistryDeps) {
    deps.redis.defineCommand('heraldStreamRegister', { numberOfKeys: 1, lua: REGISTER });
    deps.redis.defineCommand('heraldStreamRefresh', { numberOfKeys: 1, lua: REFRESH });
    this.redis = deps.redis as ScriptedRedis;
  }

  private key(userId: string): string {
    return streamRegistryKey(this.deps.prefix, userId);
  }

  /** A new stream's id: sorts by open time (and, within a millisecond, by order in this process). */
  static newId(now = Date.now()): string {
    opened = (opened + 1) % 1e9;
    return `${String(now).padStart(15, '0')}:${String(opened).padStart(9, '0')}:${randomUUID()}`;
  }

  /** Adds the stream; returns the user's streams that must end to keep `maxPerUser` (the oldest). */
  async register(userId: string, streamId: string, now = Date.now()): Promise<string[]> {
    return this.redis.heraldStreamRegister(this.key(userId), now, this.deps.staleMs, streamId, this.deps.maxPerUser);
  }

  /**
   * Keeps this process's streams alive in the sets; returns those no longer there (nothing brings
   * them back here: the caller registers them again, through the cap).
   */
  async refresh<S extends { userId: string; streamId: string }>(streams: readonly S[], now = Date.now()): Promise<S[]> {
    if (streams.length === 0) return [];
    // One command each, sent together: the users' sets lie in different slots of a Redis Cluster,
    // which a pipeline (one node) cannot span.
    const results = await Promise.all(streams.map(({ userId, streamId }) =>
      this.redis.heraldStreamRefresh(this.key(userId), now, this.deps.staleMs, streamId).then((present) => present, () => null)));
    return streams.filter((_, i) => results[i] === 0);
  }

  async unregister(userId: string, streamId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), streamId);
  }
}
