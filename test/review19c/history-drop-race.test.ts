import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryMaintenance } from '../../src/job-console/history-maintenance.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { JobHistoryWriter } from '../../src/platform/queue/job-history.js';
import { jobHistoryRow } from '../../src/platform/queue/job-history.rules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Retention racing the writer: maintenance runs drop an old day's partition again and again while
 * writers keep writing late rows of that very day (a worker that buffered through an outage) and
 * rows of today. No write is lost or fails for good: a row whose partition was dropped under it
 * makes the day again and is written; today's rows are all there, once each.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
});
afterAll(() => t.close());

const DAY = 86_400_000;
const row = (id: string, at: number) => jobHistoryRow({
  queue: 'media-scan', state: 'completed', worker: 'w-test', result: 'ok',
  job: { id, name: 'Work', data: { id }, timestamp: at - 10, opts: {}, processedOn: at - 5, finishedOn: at, attemptsMade: 1 },
}, 8_192, at);

describe('partition drops racing writes of the dropped day', () => {
  it('lose no row and fail no write for good', async () => {
    const db = t.app.database.db;
    const old = Date.now() - 5 * DAY;
    const writers = [0, 1].map(() => new JobHistoryWriter({ db, log: createLogger('silent'), flushMs: 10_000, batch: 50, bufferMax: 10_000, dataMaxBytes: 8_192 }));
    const maintenance = new HistoryMaintenance({ db, log: createLogger('silent'), days: 1, lockTimeoutMs: 2_000 });
    let stop = false;
    const drops = (async () => {
      let runs = 0;
      while (!stop || runs < 3) {
        await maintenance.maintain().catch(() => undefined);
        runs++;
      }
      return runs;
    })();
    for (let round = 0; round < 10; round++) {
      await Promise.all(writers.map(async (w, n) => {
        for (let i = 0; i < 50; i++) {
          w.push(row(`old-${round}-${n}-${i}`, old + i));
          w.push(row(`new-${round}-${n}-${i}`, Date.now()));
        }
        await w.flush();
        while (w.pending > 0) await w.flush();
      }));
    }
    stop = true;
    expect(await drops).toBeGreaterThanOrEqual(3);
    for (const w of writers) {
      expect(w.stats).toMatchObject({ written: 1_000, dropped: 0, failedWrites: 0 });
      await w.close();
    }
    const today = await sql<{ n: number; distinct: number }>`SELECT count(*)::int AS n, count(DISTINCT job_id)::int AS distinct FROM job_history WHERE job_id LIKE 'new-%'`.execute(db);
    expect(today.rows[0]).toEqual({ n: 1_000, distinct: 1_000 });
  });
});
