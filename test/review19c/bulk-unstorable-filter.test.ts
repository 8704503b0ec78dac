import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { testRedis } from '../helpers/redis.js';

/**
 * A bulk filter PostgreSQL cannot store (a NUL, a lone UTF-16 half): the step's audit entry holds
 * the filter, and jsonb refuses both. Before the fix the count matched such a job, the step retried
 * it in Redis and then failed on its audit entry with a 400 'Bad request': the job was retried,
 * unaudited, under an answer that said the request was refused. Now the filter is a 400 up front.
 */
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => t?.close());

const QUEUE = 'media-scan';

describe('a bulk filter PostgreSQL cannot store', () => {
  it('is refused with 400 before anything is counted or done', async () => {
    const queue = t.app.queues.get(QUEUE);
    const job = await queue.add('Work', { x: 1 });
    const connection = testRedis({ maxRetriesPerRequest: null });
    const worker = new Worker(bullQueueName(QUEUE), async () => {
      throw new UnrecoverableError('bad byte \u0000 in \ud800 input');
    }, { connection, prefix: t.prefix });
    try {
      expect(await waitFor(async () => (await queue.getJobState(job.id!)) === 'failed', 10_000, 50)).toBe(true);
    } finally {
      await worker.close();
      await connection.quit();
    }
    for (const reason of ['\u0000', '\ud800', 'byte \u0000']) {
      const body = { action: 'retry', state: 'failed', filter: { reason } };
      const count = await t.call('POST', `/api/admin/jobs/queues/${QUEUE}/bulk/count`, { as: admin, body });
      expect(count.status, JSON.stringify(count.body)).toBe(400);
      const act = await t.call('POST', `/api/admin/jobs/queues/${QUEUE}/bulk`, { as: admin, body: { ...body, asOf: new Date().toISOString(), expected: 1 } });
      expect(act.status, JSON.stringify(act.body)).toBe(400);
      expect(act.body.details?.[0]?.path).toEqual(['filter', 'reason']);
    }
    expect(await queue.getJobState(job.id!)).toBe('failed');
    expect(await t.app.database.db.selectFrom('admin_audit').select('action').execute()).toEqual([]);
  });
});
