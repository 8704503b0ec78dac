import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../../config.js';
import { SentinelConnectorKeepingUp } from './sentinel-connector.js';

export type { RedisTarget } from '../../config.js';

/** A client of one Redis (URL, Sentinel) or of a Redis Cluster: the same commands on both. */
export type RedisClient = Redis | Cluster;

/**
 * The one place a Redis client is made: every connection of the service (queues, workers, the
 * relay, rate limits, caches, pub/sub) comes from these three, so each reaches Redis the same way,
 * whichever `RedisTarget` the configuration names. Clients derived with `.duplicate()` (BullMQ's
 * blocking connections, the session cache's subscriber) inherit the target's options.
 */
export function createRedis(target: RedisTarget, options: RedisOptions): RedisClient {
  switch (target.kind) {
    case 'url':
      // A password in the URL wins over REDIS_PASSWORD (ioredis reads the URL first).
      return new Redis(target.url, { ...(target.password ? { password: target.password } : {}), ...options });
    case 'sentinel':
      return new Redis({
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        // Always the master: a replica would answer writes with READONLY.
        role: 'master',
        ...(target.password ? { password: target.password } : {}),
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        // Sentinels announce a promotion (+switch-master): drop the old master then, not when a
        // command times out against it.
        failoverDetector: true,
        // ioredis's connector, but a detector stops with its connection (sentinel-connector.ts).
        Connector: SentinelConnectorKeepingUp,
        // A demoted master that is still reachable answers writes with READONLY: reconnect (to the
        // master the sentinels name now) and resend the command.
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
        // Between the kill and the promotion the sentinels still name the dead master; keep asking.
        sentinelRetryStrategy: (times) => Math.min(times * 100, 1_000),
        ...options,
      });
    case 'cluster':
      return createCluster(target, options);
  }
}

/**
 * A Redis Cluster client: the options that are the cluster's own (the offline queue, the ready
 * check, when to retry reaching it at all) go to the cluster, the rest to each node's connection.
 * Keys are cluster-safe by construction (platform/redis/keys.ts); reads go to masters only (a
 * replica may lag behind what the service just wrote).
 */
function createCluster(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisOptions): Cluster {
  const { enableOfflineQueue, enableReadyCheck, lazyConnect, retryStrategy, ...node } = options;
  return new Cluster(target.nodes.map(({ host, port }) => ({ host, port })), {
    redisOptions: { ...(target.password ? { password: target.password } : {}), ...node },
    scaleReads: 'master',
    // While a failover moves a slot's master, commands for it are retried instead of failing.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
  });
}

/**
 * BullMQ wants connections that retry forever (maxRetriesPerRequest: null): workers and the relay
 * wait out a Redis restart or a failover instead of crashing. Request paths use
 * `createCommandRedis`, which fails fast so the API can answer 503 while Redis is away.
 */
export function createQueueRedis(target: RedisTarget): RedisClient {
  const client = createRedis(target, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  client.on('error', () => undefined);
  return client;
}

export function createCommandRedis(target: RedisTarget, extra: RedisOptions = {}): RedisClient {
  const client = createRedis(target, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    ...extra,
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * Pub/sub: subscriptions wait in the offline queue while Redis is away and are made again on every
 * reconnect (autoResubscribe), to whichever master the target names then. Callers add their own
 * 'error' listener (they log a lost subscription).
 */
export function createSubscriberRedis(target: RedisTarget, extra: RedisOptions = {}): RedisClient {
  return createRedis(target, { maxRetriesPerRequest: null, enableOfflineQueue: true, autoResubscribe: true, ...extra });
}
