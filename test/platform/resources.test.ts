import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { freePort } from '../../src/platform/net.js';
import { resolveEndpoints, StartupError } from '../../src/platform/resources.js';
import { ADMIN_URL } from '../helpers/env.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function config() {
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-redis-default-'));
  dirs.push(dir);
  // DATABASE_URL set: only the Redis default is under test here (npm start's test covers PostgreSQL).
  return loadConfig({ DATABASE_URL: ADMIN_URL, DATA_DIR: dir });
}

describe('the Redis default when REDIS_URL is unset', () => {
  it('starts a private redis-server (AOF on, noeviction) when nothing answers on the default address', async () => {
    const cfg = await config();
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const endpoints = await resolveEndpoints(cfg, createLogger('silent'), { url: nobody, serverBinary: 'redis-server' });
    try {
      if (endpoints.redis.kind !== 'url') throw new Error(`expected a URL target, got ${endpoints.redis.kind}`);
      expect(endpoints.redis.url).not.toBe(nobody);
      const client = new Redis(endpoints.redis.url);
      try {
        expect(await client.ping()).toBe('PONG');
        expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
        expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
        expect(await client.config('GET', 'dir')).toEqual(['dir', path.join(cfg.dataDir, 'redis')]);
      } finally {
        client.disconnect();
      }
      expect(await readdir(path.join(cfg.dataDir, 'redis'))).toContain('appendonlydir');
    } finally {
      await endpoints.stop();
    }
  });

  it('stops with one clear line when nothing answers and redis-server is not installed', async () => {
    const cfg = await config();
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const attempt = resolveEndpoints(cfg, createLogger('silent'), { url: nobody, serverBinary: 'redis-server-not-installed' });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(`Redis is not reachable at ${nobody} and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL.`);
  });

  it('stops with one line naming the private redis-server and its last words when it dies during start-up', async () => {
    const cfg = await config();
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    // Installed (answers --version), but refuses to run, as a redis-server with a bad setting does.
    const binary = path.join(cfg.dataDir, 'redis-server-broken');
    await writeFile(binary, '#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho "*** FATAL CONFIG FILE ERROR: Bad directive"\nexit 1\n');
    await chmod(binary, 0o755);
    const started = Date.now();
    const attempt = resolveEndpoints(cfg, createLogger('silent'), { url: nobody, serverBinary: binary });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(`Embedded redis-server failed: ${binary} exited (exit code 1): *** FATAL CONFIG FILE ERROR: Bad directive`);
    expect(Date.now() - started).toBeLessThan(5_000); // at once, not after the 10 s wait for an answer
  });
});
