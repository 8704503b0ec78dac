import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { expectedPercentiles } from './metrics.helpers.js';

// End to end: real jobs run by the app's workers, their outcomes recorded by the history writer,
// then JobMetricsRollup run as a job by a worker, read back through the API. The app's clock runs
// two minutes ahead of the real one, so the minute the jobs finish in is closed for the rollup.

const AHEAD_MS = 120_000;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ JOB_HISTORY_FLUSH_MS: '50', JOB_ATTEMPTS: '1' }, { now: () => Date.now() + AHEAD_MS });
  admin = await t.admin();
});
afterAll(() => t?.close());

const until = async (check: () => Promise<boolean>, what: string, ms = 20_000) => {
  if (!(await waitFor(check, ms, 50))) throw new Error(`timed out waiting for ${what}`);
};

describe('JobMetricsRollup over real job history', () => {
  it('counts every completed and failed job of the queue, with their wait and run percentiles', async () => {
    const queue = t.app.queues.get('notification-fanout');
    const started = Date.now();
    // Fan-outs of batches that do not exist complete with nothing to do; a payload that does not
    // fit its schema fails once, without retries.
    await queue.addBulk(Array.from({ length: 12 }, () => ({ name: 'NotificationBatchFanOut' as const, data: { batchId: randomUUID() } })));
    await queue.addBulk(Array.from({ length: 3 }, () => ({ name: 'NotificationBatchFanOut' as const, data: { batchId: 42 } as unknown as { batchId: string } })));
    const history = () => t.app.database.db.selectFrom('job_history').select(['state', 'wait_ms', 'run_ms', 'finished_at']).where('queue', '=', 'notification-fanout').execute();
    await until(async () => (await history()).length === 15, 'the 15 outcomes in job history');
    const rows = await history();
    expect(rows.filter((r) => r.state === 'failed')).toHaveLength(3);

    const job = await t.app.queues.add('job-console', 'JobMetricsRollup', { granularity: 'minute' });
    await until(async () => (await t.app.queues.get('job-console').getJobState(job.id!)) === 'completed', 'the rollup job');

    const from = new Date(Math.floor(started / 60_000) * 60_000 - 60_000).toISOString();
    const res = await t.call('GET', `/api/admin/jobs/queues/notification-fanout/metrics?granularity=minute&from=${from}`, { as: admin });
    expect(res.status).toBe(200);
    const buckets = res.body.data.buckets as Array<{ start: string; completed: number; failed: number; waitMs: unknown; runMs: unknown }>;
    expect(buckets.reduce((n, b) => n + b.completed, 0)).toBe(12);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(3);
    for (const b of buckets.filter((x) => x.completed + x.failed > 0)) {
      const inBucket = rows.filter((r) => r.finished_at.getTime() - Date.parse(b.start) >= 0 && r.finished_at.getTime() - Date.parse(b.start) < 60_000);
      expect(b).toMatchObject({ completed: inBucket.filter((r) => r.state === 'completed').length, waitMs: expectedPercentiles(inBucket.map((r) => r.wait_ms)), runMs: expectedPercentiles(inBucket.map((r) => r.run_ms)) });
    }
    // All queues include them (and whatever else the app ran meanwhile).
    const all = await t.call('GET', `/api/admin/jobs/queues/all/metrics?granularity=minute&from=${from}`, { as: admin });
    expect(all.body.data.buckets.reduce((n: number, b: { completed: number; failed: number }) => n + b.completed + b.failed, 0)).toBeGreaterThanOrEqual(15);
  });
});
