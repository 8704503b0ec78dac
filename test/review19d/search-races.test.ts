import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { JobHistoryWriter } from '../../src/platform/queue/job-history.js';
import type { JobHandlers } from '../../src/platform/queue/registry.js';
import { WorkerPool } from '../../src/platform/queue/workers.js';
import type { RedisClient } from '../../src/platform/redis/connection.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';
import { word } from '../job-console/search.fixtures.js';

// Review 19d of job search: searches answered while the jobs they find run, retry, fail and are
// recorded by the history writer. Whatever moment a search reads, each job is one result at most
// (its live state, or its recorded outcome), the total is what the page holds and the facets add up.
let t: TestApp;
let admin: Session;
let connection: RedisClient;

beforeAll(async () => {
  t = await createTestApp({ JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '20', JOB_SEARCH_LIVE_SCAN: '500', RATE_LIMIT_OVERRIDES: 'admin.jobs=100000' }, { roles: ['api'] });
  admin = await t.admin();
  connection = testRedis({ maxRetriesPerRequest: null });
});
afterAll(async () => {
  await t.close();
  await connection.quit();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const search = (query: Record<string, string>) => t.call('GET', `/api/admin/jobs/search?${new URLSearchParams(query)}`, { as: admin });
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe('searching while jobs run and are recorded', () => {
  it('each job is one result at every moment, and every job is found once all are recorded', async () => {
    const w = word();
    const N = 150;
    const writer = new JobHistoryWriter({ db: t.app.database.db, log: createLogger('silent'), flushMs: 15, batch: 7, bufferMax: 20_000, dataMaxBytes: 8_192 });
    const handlers = {
      'notification-inbox': {
        NotificationWake: async (data: { id: string }, job: { attemptsMade: number }) => {
          const n = Number(data.id.split('-').at(-1));
          await sleep(n % 7 * 4);
          // A third fail for good, a third fail once and then complete.
          if (n % 3 === 0 || (n % 3 === 1 && job.attemptsMade === 0)) throw new Error(`scan ${w} broke`);
          return 'ok';
        },
      },
    };
    const pool = new WorkerPool({
      connection, prefix: t.prefix, db: t.app.database.db, log: createLogger('silent'), handlers: handlers as unknown as JobHandlers, queues: ['notification-inbox'],
      defaultConcurrency: 4, shutdownTimeoutMs: 2_000, lockMs: 30_000, heartbeatMs: 60_000, history: writer,
    });
    const queue = t.app.queues.get('notification-inbox');
    await queue.addBulk(Array.from({ length: N }, (_, n) => ({ name: 'NotificationWake', data: { id: `${w}-${n}`, until: 'x' } })));
    pool.start();
    const checks: string[] = [];
    let rounds = 0;
    /** Searches as an admin would, noting any answer that shows a job twice or counts what it does not show. */
    const look = async () => {
      for (const query of [{ q: w }, { q: `${w} broke` }, {}] as Array<Record<string, string>>) {
        const res = await search({ ...query, queue: 'notification-inbox', pageSize: '100' });
        expect(res.status).toBe(200);
        const hits = res.body.data as Array<{ id: string; source: string; state: string; finishedOn: number | null }>;
        // One result per outcome: a live job is never beside its history rows, no history row twice.
        const live = new Set(hits.filter((h) => h.source === 'live').map((h) => h.id));
        const rows = hits.filter((h) => h.source === 'history').map((h) => `${h.id}@${h.finishedOn}`);
        const both = hits.filter((h) => h.source === 'history' && live.has(h.id)).map((h) => `${h.id}/${h.state}`);
        if (both.length || new Set(rows).size !== rows.length || live.size !== hits.length - rows.length) checks.push(`round ${rounds} ${JSON.stringify(query)}: twice ${JSON.stringify(both)}`);
        if (Math.min(res.body.pagination.total, 100) !== hits.length) checks.push(`round ${rounds}: total ${res.body.pagination.total} for ${hits.length} hits`);
        if (sum(res.body.facets.queue) !== res.body.pagination.total || sum(res.body.facets.state) !== res.body.pagination.total) checks.push(`round ${rounds}: facets ${JSON.stringify(res.body.facets)} for ${res.body.pagination.total}`);
      }
      rounds++;
    };
    const recorded = async () => (await t.app.database.db.selectFrom('job_history').select('job_id').where('search_text', 'like', `%${w}%`).execute()).length;
    try {
      while ((await recorded()) < N) await look();
      const started = rounds;
      expect(checks).toEqual([]);
      const pages = [await search({ q: w, queue: 'notification-inbox', pageSize: '100' }), await search({ q: w, queue: 'notification-inbox', pageSize: '100', page: '2' })];
      expect(pages[0]!.body.pagination.total).toBe(N);
      expect(new Set(pages.flatMap((p) => p.body.data.map((h: { id: string; source: string }) => `${h.source}:${h.id}`))).size).toBe(N);
      expect(pages[0]!.body.facets.state).toEqual({ completed: N / 3 * 2, failed: N / 3 });

      // The failed third retried by a bulk action while searches run: each is its live state until it fails again.
      const count = await t.call('POST', '/api/admin/jobs/queues/notification-inbox/bulk/count', { as: admin, body: { action: 'retry', state: 'failed', filter: { reason: 'broke' } } });
      expect(count.body.data).toMatchObject({ count: N / 3, complete: true });
      let body = { action: 'retry', state: 'failed', filter: { reason: 'broke' }, asOf: count.body.data.asOf, expected: N / 3 } as Record<string, unknown>;
      for (let done = false; !done;) {
        const step = await t.call('POST', '/api/admin/jobs/queues/notification-inbox/bulk', { as: admin, body });
        expect(step.status).toBe(200);
        done = step.body.data.done;
        body = { ...body, cursor: step.body.data.cursor };
        await look();
      }
      while ((await recorded()) < N + N / 3) await look();
      await look();
      expect(checks).toEqual([]);
      // Searches ran during the bulk action (one a step) and once every retry was recorded.
      expect(rounds - started).toBeGreaterThanOrEqual(2);
      const after = await search({ q: `${w} broke`, queue: 'notification-inbox', state: 'failed', pageSize: '100' });
      expect(after.body).toMatchObject({ pagination: { total: 2 * N / 3 }, facets: { state: { failed: 2 * N / 3 } } });
    } finally {
      await pool.close();
      await writer.close();
    }
  }, 60_000);
});
