import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * Admins retry the same failed job at once (POST /api/admin/jobs/:queue/:id/retry): one retry acts
 * and is audited, the others are refused with the route's 400 'Cannot retry job'. Before the fix
 * a loser passed the service's isFailed check and then hit BullMQ's own refusal (the job was no
 * longer failed), answered 500 'Internal server error'. Removing one job at once (DELETE) is
 * idempotent: each answer is 200 (BullMQ removes a missing job as done) or 404, never a 500.
 */
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => t?.close());

const QUEUE = 'media-scan';

describe('two admins on one job at once', () => {
  it('one retry acts, the others are 400; removals at once answer 200 or 404 and the job is gone', async () => {
    const queue = t.app.queues.get(QUEUE);
    const jobs = await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'Work', data: { i } })));
    const connection = testRedis({ maxRetriesPerRequest: null });
    const worker = new Worker(bullQueueName(QUEUE), async () => {
      throw new UnrecoverableError('boom');
    }, { connection, prefix: t.prefix });
    try {
      expect(await waitFor(async () => (await queue.getJobCountByTypes('failed')) === jobs.length, 10_000, 50)).toBe(true);
    } finally {
      await worker.close();
      await connection.quit();
    }
    const [a, b, c, ...rest] = jobs.map((j) => j.id!);
    const statuses = async (method: string, path: string) =>
      (await Promise.all(Array.from({ length: 4 }, () => t.call(method, path, { as: admin })))).map((r) => r.status).sort();
    for (const id of [a!, b!, c!]) {
      const got = await statuses('POST', `/api/admin/jobs/${QUEUE}/${id}/retry`);
      expect(got.filter((s) => s === 200), JSON.stringify(got)).toHaveLength(1);
      expect(got.every((s) => s === 200 || s === 400), JSON.stringify(got)).toBe(true);
    }
    for (const id of rest) {
      const got = await statuses('DELETE', `/api/admin/jobs/${QUEUE}/${id}`);
      expect(got.every((s) => s === 200 || s === 404), JSON.stringify(got)).toBe(true);
      expect(await queue.getJob(id)).toBeUndefined();
    }
    const audits = await t.app.database.db.selectFrom('admin_audit').select(['action', 'job_id']).where('action', '=', 'job.retry').execute();
    expect(audits.map((x) => x.job_id).sort()).toEqual([a, b, c].sort());
    expect(await Promise.all([a, b, c].map((id) => queue.getJobState(id!)))).toEqual(['waiting', 'waiting', 'waiting']);
  });
});
