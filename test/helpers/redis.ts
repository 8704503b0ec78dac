import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { createRedis, type RedisClient } from '../../src/platform/redis/connection.js';
import { REDIS_TARGET } from './env.js';

/**
 * Clients of the test Redis, whichever it is (one server, or the cluster group's Redis Cluster),
 * and the keyspace-wide operations a cluster client cannot do in one command: SCAN, FLUSHALL and
 * a DEL of many keys each go to every master, one key per DEL.
 */
export function testRedis(options: RedisOptions = {}): RedisClient {
  const client = createRedis(REDIS_TARGET, options);
  client.on('error', () => undefined);
  return client;
}

/** Runs `fn` on every master (the one server outside the cluster group), with a fresh client. */
export async function onEveryMaster<T>(fn: (node: Redis) => Promise<T>): Promise<T[]> {
  const client = testRedis();
  try {
    if (!(client instanceof Cluster)) return [await fn(client)];
    await new Promise<void>((resolve, reject) => {
      if (client.status === 'ready') return resolve();
      client.once('ready', resolve);
      client.once('end', () => reject(new Error('the test Redis Cluster is not reachable')));
    });
    return await Promise.all(client.nodes('master').map(fn));
  } finally {
    client.disconnect();
  }
}

/** Every key matching `pattern`, on every master. */
export async function scanKeys(pattern: string): Promise<string[]> {
  return (await scanKeysByMaster(pattern)).flat();
}

/** The keys matching `pattern` that each master holds (one list outside the cluster group). */
export async function scanKeysByMaster(pattern: string): Promise<string[][]> {
  return onEveryMaster(async (node) => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...page);
    } while (cursor !== '0');
    return keys;
  });
}

/**
 * The hash slot a Redis Cluster puts a key in: CRC16 (XMODEM) of the key, or of its hash tag
 * (the part between the first `{` and the next `}`, when not empty), modulo 16384.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** Deletes every key of a test's prefix (its queues, counters, heartbeats). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  await onEveryMaster(async (node) => {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      // One key per DEL: the keys of one node may still lie in different slots.
      if (keys.length) await node.pipeline(keys.map((key) => ['del', key])).exec();
    } while (cursor !== '0');
  });
}

/** FLUSHALL on every master: what Redis losing all its data looks like. */
export async function flushTestRedis(): Promise<void> {
  await onEveryMaster((node) => node.flushall());
}
