import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ wants connections that retry forever (maxRetriesPerRequest: null): workers and the relay
 * wait out a Redis restart instead of crashing. Request paths use `createCommandRedis`, which
 * fails fast so the API can answer 503 while Redis is down.
 */
export function createQueueRedis(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  client.on('error', () => undefined);
  return client;
}

export function createCommandRedis(url: string, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
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
