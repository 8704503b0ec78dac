import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { freePort, waitFor } from '../net.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface EmbeddedRedisHandle {
  readonly url: string;
  stop(): Promise<void>;
}

export function redisServerOnPath(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The fallback when REDIS_URL is unset and nothing answers on 6379: a private redis-server with
 * the settings BullMQ needs (AOF on, noeviction), data under DATA_DIR/redis.
 */
export async function startEmbeddedRedis(dataDir: string, log: Logger, binary = 'redis-server'): Promise<EmbeddedRedisHandle> {
  const dir = path.join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', '',
  ], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(() => redisAnswers(url), 10_000, 100))) {
    child.kill('SIGKILL');
    throw new Error(`the private redis-server did not answer on port ${port}`);
  }
  log.info({ port, dir }, 'private Redis started');
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
