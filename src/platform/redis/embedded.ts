import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { freePort, waitFor } from '../net.js';
import { StartupError } from '../resources.js';

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
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Its log, kept short: the reason in the one line when it dies during start-up.
  let output = '';
  const keep = (d: Buffer) => { output = (output + String(d)).slice(-2_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A child that cannot start (EACCES, a vanished binary) emits 'error': without a listener that
  // event would end the process with a trace.
  let failed: string | null = null;
  child.once('error', (err) => { failed = `could not run ${binary}: ${err.message}`; });
  child.once('exit', (code, signal) => { failed ??= `${binary} exited (${signal ?? `exit code ${code}`}): ${output.trim().split('\n').slice(-1)[0] ?? ''}`; });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(async () => failed !== null || redisAnswers(url), 10_000, 100)) || failed !== null) {
    child.kill('SIGKILL');
    throw new StartupError(`Embedded redis-server failed: ${failed ?? `it did not answer on port ${port} within 10 s`}`);
  }
  log.info({ port, dir }, 'private Redis started');
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
