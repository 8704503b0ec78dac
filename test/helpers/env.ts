import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { RedisTarget } from '../../src/config.js';

// The real services every test talks to; .ci/run starts them when they are down.
// Tests read these two variables directly (they are not part of the app's Config).
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// TEST_REDIS_CLUSTER=1 (the cluster group of .ci/run): every test app runs on a local Redis Cluster
// of three masters on these ports, started and stopped by test/helpers/redis-cluster.ts (a global
// setup), in folders under TEST_REDIS_CLUSTER_DIR.
export const REDIS_CLUSTER = process.env.TEST_REDIS_CLUSTER === '1';
export const CLUSTER_PORTS = [7000, 7001, 7002] as const;
export const CLUSTER_DIR = process.env.TEST_REDIS_CLUSTER_DIR ?? path.join(os.tmpdir(), 'herald-test-cluster');
const CLUSTER_NODES = CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`).join(',');

/** The app's variables for the test Redis (spawned processes too): REDIS_URL, or REDIS_CLUSTER_NODES. */
export const REDIS_ENV: Readonly<Record<string, string>> = REDIS_CLUSTER ? { REDIS_CLUSTER_NODES: CLUSTER_NODES } : { REDIS_URL };
/** The same, as the Redis target the app's config would parse it into (for clients made by tests). */
export const REDIS_TARGET: RedisTarget = REDIS_CLUSTER
  ? { kind: 'cluster', nodes: CLUSTER_PORTS.map((port) => ({ host: '127.0.0.1', port })) }
  : { kind: 'url', url: REDIS_URL };

/**
 * A name for a test's own database: `herald_t_<pid>_<random>`. The pid is the test process's, so a
 * run's global setup, which drops the databases interrupted runs left behind, can tell a live
 * run's (another vitest on the same server: a helper's, a CI clone's) from a dead one's.
 */
export function testDatabaseName(tag = ''): string {
  return `herald_t_${process.pid}_${tag}${randomBytes(6).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
