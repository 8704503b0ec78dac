import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from '../../src/platform/net.js';
import { CLUSTER_DIR, CLUSTER_PORTS, REDIS_CLUSTER } from './env.js';

const run = promisify(execFile);

/** A short-lived admin connection to one node that gives up at once when nothing listens. */
async function ask<T>(port: number, fn: (node: Redis) => Promise<T>): Promise<T | null> {
  const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await fn(node);
  } catch {
    return null;
  } finally {
    node.disconnect();
  }
}

/**
 * A local Redis Cluster of three masters (TEST_REDIS_CLUSTER=1): one redis-server per port of
 * CLUSTER_PORTS with its own folder under `dir`, joined by `redis-cli --cluster create`, ready once
 * every node reports cluster_state:ok. Returns the teardown, which stops exactly these processes.
 * A node left behind by an interrupted run (its folder is under `dir`) is shut down first; any
 * other server on those ports is an error, not something to stop.
 */
export async function startRedisCluster(dir: string): Promise<() => Promise<void>> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    })));
  };
  try {
    for (const port of CLUSTER_PORTS) {
      const nodeDir = path.join(dir, String(port));
      const owner = await ask(port, async (node) => (await node.config('GET', 'dir'))[1] as string);
      if (owner !== null && owner !== nodeDir) throw new Error(`port ${port} is taken by a Redis that is not this test cluster's (dir ${owner})`);
      if (owner === nodeDir) await ask(port, (node) => node.call('SHUTDOWN', 'NOSAVE'));
      await waitFor(async () => (await ask(port, (node) => node.ping())) === null, 5_000, 50);
      await rm(nodeDir, { recursive: true, force: true });
      await mkdir(nodeDir, { recursive: true });
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(nodeDir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000',
        '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction',
        '--logfile', path.join(nodeDir, 'redis.log'),
      ], { stdio: 'ignore' });
      children.push(child);
      if (!(await waitFor(async () => (await ask(port, (node) => node.ping())) === 'PONG', 10_000, 50))) {
        throw new Error(`redis-server on ${port} did not start (see ${nodeDir}/redis.log)`);
      }
    }
    await run('redis-cli', ['--cluster', 'create', ...CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    const ok = await waitFor(async () => {
      const states = await Promise.all(CLUSTER_PORTS.map((port) => ask(port, (node) => node.cluster('INFO') as Promise<string>)));
      return states.every((info) => info?.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3'));
    }, 20_000, 100);
    if (!ok) throw new Error('the test Redis Cluster did not reach cluster_state:ok');
    return stop;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A vitest global setup (vitest.config.ts): the cluster of a TEST_REDIS_CLUSTER=1 run, else nothing. */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  return REDIS_CLUSTER ? startRedisCluster(CLUSTER_DIR) : undefined;
}
