import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { bullQueueName } from '../src/platform/redis/keys.js';
import { measure } from './lib/autocannon.js';
import { createScratchDatabase, deleteRedisPrefix, log, REDIS_URL, uniqueName, type ScratchDatabase } from './lib/database.js';
import { intEnv } from './lib/env.js';

/**
 * bench:admin: GET /api/admin/jobs/queues with BENCH_COMPLETED (1,000,000) completed jobs kept in
 * one queue. Counts come from BullMQ's per-state counters, so the latency must not grow with the
 * number of jobs (target p99 < 50 ms). The same request on an empty set of queues is the baseline.
 */
const COMPLETED = intEnv('BENCH_COMPLETED', 1_000_000);
const QUEUE = 'notification-fanout';

async function fillCompleted(app: App, prefix: string): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  // A no-op processor: only the jobs' existence matters, not the service's handler.
  const worker = new Worker(bullQueueName(QUEUE), async () => undefined, { connection, prefix, concurrency: 200, autorun: true });
  const queue = app.queues.get(QUEUE);
  const started = performance.now();
  for (let i = 0; i < COMPLETED; i += 1_000) {
    const n = Math.min(1_000, COMPLETED - i);
    await queue.addBulk(Array.from({ length: n }, () => ({ name: 'NotificationBatchFanOut', data: { batchId: 'bench' }, opts: { removeOnComplete: false } })));
    if (i % 100_000 === 0) log(`added ${i.toLocaleString('en')} jobs`);
  }
  while ((await queue.getJobCounts('completed')).completed! < COMPLETED) await new Promise((r) => setTimeout(r, 500));
  await worker.close();
  connection.disconnect();
  return (performance.now() - started) / 1000;
}

async function main() {
  const prefix = `badm${randomBytes(4).toString('hex')}`;
  let database: ScratchDatabase | null = null;
  let app: App | null = null;
  try {
    database = await createScratchDatabase(uniqueName('admin'));
    await migrate(database.url);
    app = await createApp(loadConfig({
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password',
    }), { roles: ['api'], logger: createLogger('warn', process.stderr) });
    await app.start();
    const { token } = await app.services.auth.login('admin@bench.local', 'bench-password', { ip: '127.0.0.1', userAgent: null });
    const url = app.url!;
    const requests = [{ method: 'GET' as const, path: '/api/admin/jobs/queues', headers: { authorization: `Bearer ${token}` } }];
    const load = { connections: 10, durationSec: 10, warmupSec: 2, requests };
    const empty = await measure('queues overview, no jobs', url, load);
    const fillSeconds = await fillCompleted(app, prefix);
    const full = await measure(`queues overview, ${COMPLETED} completed jobs`, url, load);
    const redisMemory = /used_memory_human:(\S+)/.exec(await app.redis.info('memory'))?.[1] ?? null;
    process.stdout.write(`${JSON.stringify({
      benchmark: 'admin', date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version },
      completedJobs: COMPLETED, fillSeconds: Number(fillSeconds.toFixed(1)), redisMemory,
      baseline: { reqPerSec: empty.reqPerSec, p50Ms: empty.p50Ms, p99Ms: empty.p99Ms },
      withJobs: { reqPerSec: full.reqPerSec, p50Ms: full.p50Ms, p99Ms: full.p99Ms, non2xx: full.non2xx, ratioToBaseline: Number((full.reqPerSec / empty.reqPerSec).toFixed(3)) },
      targets: { p99Ms: 50 }, pass: { p99: full.p99Ms < 50 && full.non2xx === 0 },
    }, null, 2)}\n`);
  } finally {
    await app?.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await database?.drop().catch((err: Error) => log(`drop: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
