/**
 * bench:webhooks — webhook fan-out (events per second reaching a local receiver) against a bare
 * HTTP POST loop into the same receiver, at the same concurrency, in the same run.
 *
 * 1. bare: BENCH_EVENTS signed JSON POSTs (the same body size and HMAC per request) from
 *    BENCH_CONCURRENCY loops over a keep-alive agent; events/s when the receiver has them all.
 * 2. herald: the real service in-process (api + worker roles; the worker serves the fan-out and
 *    webhook-delivery queues only, so no email competes), one endpoint subscribed to
 *    notification.created, a broadcast to BENCH_EVENTS users (the fan-out writes one delivery per
 *    notification, one statement a page); timed from the broadcast to the receiver's last event,
 *    with WORKER_CONCURRENCY = BENCH_CONCURRENCY.
 *
 * stdout gets one JSON document (ratio = herald / bare); progress goes to stderr.
 *
 *   npm run bench:webhooks
 *   BENCH_EVENTS=2000 npm run bench:webhooks   # smoke
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { hashPassword } from '../src/platform/password.js';
import { REDIS_URL, copyRows, createScratchDatabase, deleteRedisPrefix, log, uniqueName } from './lib/database.js';
import { intEnv } from './lib/env.js';
import { USER_COLUMNS, userRows } from './lib/seed-data.js';

const EVENTS = intEnv('BENCH_EVENTS', 20_000);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 10);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_SEC', 600) * 1000;
const SECRET = 'whsec_bench_secret_0123456789';
type Cleanups = Array<() => Promise<unknown>>;
const secondsSince = (start: number) => (performance.now() - start) / 1000;

/** A receiver that answers 204 at once and counts distinct delivery ids (and duplicates). */
async function receiver() {
  const seen = new Set<string>();
  let requests = 0;
  let waiter: { n: number; resolve: () => void } | null = null;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      seen.add(String(req.headers['x-herald-delivery']));
      res.writeHead(204).end();
      if (waiter && seen.size >= waiter.n) waiter.resolve();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get distinct() { return seen.size; },
    get requests() { return requests; },
    reset() { seen.clear(); requests = 0; },
    until(n: number, ms: number) {
      return new Promise<boolean>((resolve) => {
        if (seen.size >= n) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        waiter = { n, resolve: () => { clearTimeout(timer); resolve(true); } };
      });
    },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The bare loop: CONCURRENCY workers POSTing signed bodies of the service's size over keep-alive. */
async function bare(url: string, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  const one = (i: number) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ id: randomUUID(), type: 'notification.created', createdAt: new Date().toISOString(), data: { notificationId: randomUUID(), userId: randomUUID(), batchId: randomUUID(), type: 'SYSTEM', title: 'Bench', priority: 'MEDIUM' } });
    const t = Math.floor(Date.now() / 1000);
    const req = http.request(url, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-herald-delivery': `bare-${i}`, 'x-herald-event': 'notification.created',
        'x-herald-signature': `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`,
      },
    }, (res) => { res.resume(); res.on('end', () => resolve()); });
    req.on('error', reject);
    req.end(body);
  });
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) await one(i);
  }));
  agent.destroy();
  return secondsSince(started);
}

async function heraldRun(url: string, rx: Awaited<ReturnType<typeof receiver>>, cleanups: Cleanups) {
  const prefix = `hbwh${randomBytes(4).toString('hex')}`;
  const database = await createScratchDatabase(uniqueName('webhooks'));
  cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix), () => database.drop());
  await migrate(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await copyRows(client, 'users', USER_COLUMNS, userRows(Array.from({ length: EVENTS }, () => randomUUID()), await hashPassword('bench-password-1'), Date.now()));
    await client.query('ANALYZE users');
  } finally {
    await client.end();
  }
  const config = loadConfig({
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, RATE_LIMITS: 'off', LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE: 'true', WORKER_CONCURRENCY: String(CONCURRENCY), ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-admin-password',
  });
  const app = await createApp(config, { logger: createLogger(config.logLevel, process.stderr), print: log, queues: ['notification-fanout', 'webhook-delivery'] });
  cleanups.push(() => app.stop());
  await app.start();
  const admin = await app.database.db.selectFrom('users').select('id').where('email', '=', 'admin@bench.local').executeTakeFirstOrThrow();
  await app.services.webhooks.create(admin.id, { url, events: ['notification.created'], secret: SECRET });
  rx.reset();
  const started = performance.now();
  await app.services.notifications.create({ role: 'VIEWER' }, { type: 'SYSTEM', title: 'Bench', message: 'A broadcast.', actionUrl: null, priority: 'MEDIUM', metadata: null, critical: false });
  if (!(await rx.until(EVENTS, TIMEOUT_MS))) throw new Error(`herald: only ${rx.distinct} of ${EVENTS} events within ${TIMEOUT_MS / 1000} s`);
  const seconds = secondsSince(started);
  // The receiver has them all; the last deliveries' rows are marked a moment after their answers.
  for (let i = 0; i < 100; i++) {
    const open = await app.database.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM webhook_deliveries WHERE status = 'pending'");
    if (open.rows[0]!.n === '0') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { rows } = await app.database.pool.query<{ status: string; n: string }>('SELECT status, count(*)::text AS n FROM webhook_deliveries GROUP BY status');
  return { seconds, statuses: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) };
}

async function main() {
  const cleanups: Cleanups = [];
  const rx = await receiver();
  cleanups.push(() => rx.stop());
  try {
    log(`bare: warm-up, then ${EVENTS} POSTs at concurrency ${CONCURRENCY}`);
    await bare(rx.url, Math.min(2_000, EVENTS));
    rx.reset();
    const bareSeconds = await bare(rx.url, EVENTS);
    const bareRequests = rx.requests;
    log(`bare: ${Math.round(EVENTS / bareSeconds)} POSTs/s`);
    log(`herald: broadcast to ${EVENTS} users, one endpoint subscribed to notification.created`);
    const run = await heraldRun(rx.url, rx, cleanups);
    log(`herald: ${Math.round(EVENTS / run.seconds)} events/s`);
    const heraldPerSec = EVENTS / run.seconds;
    const barePerSec = EVENTS / bareSeconds;
    process.stdout.write(`${JSON.stringify({
      bench: 'webhooks', date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
      events: EVENTS, concurrency: CONCURRENCY,
      bare: { seconds: Number(bareSeconds.toFixed(2)), postsPerSec: Math.round(barePerSec), requests: bareRequests },
      herald: { seconds: Number(run.seconds.toFixed(2)), eventsPerSec: Math.round(heraldPerSec), requests: rx.requests, distinctDeliveries: rx.distinct, duplicates: rx.requests - rx.distinct, deliveries: run.statuses },
      ratio: Number((heraldPerSec / barePerSec).toFixed(3)),
    }, null, 2)}\n`);
  } finally {
    for (const step of cleanups.splice(0).reverse()) await step().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
  }
}

await main();
