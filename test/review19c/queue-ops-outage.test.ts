import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { bullQueueName } from '../../src/platform/redis/keys.js';
import { type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { appBehindProxy } from '../helpers/outage.js';
import { testRedis } from '../helpers/redis.js';

/**
 * The admin's queue operations while PostgreSQL is unreachable (Redis up, the admin's session
 * cached): none may change a queue it cannot audit. Before the fix each acted in Redis first and
 * failed on its audit entry (or its outbox row) after: pausing a queue, removing, retrying or
 * promoting jobs and cleaning a state all happened, answered with an error and unaudited.
 */
let pg: CuttableProxy;
let t: TestApp;
let admin: Session;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ proxy: pg, t, close } = await appBehindProxy('postgres'));
  admin = await t.admin();
});
afterAll(() => close?.());

const QUEUE = 'media-scan';
const queue = () => t.app.queues.get(QUEUE);

describe('queue operations while PostgreSQL is unreachable', () => {
  it('change nothing in Redis, and work (audited) once it is back', async () => {
    const delayed = await queue().addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'Work', data: { i }, opts: { delay: 3_600_000 } })));
    const failed = await queue().add('Work', { f: 1 });
    // Failed by a worker of the test's (the app runs none).
    const connection = testRedis({ maxRetriesPerRequest: null });
    const worker = new Worker(bullQueueName(QUEUE), async () => {
      throw new UnrecoverableError('boom');
    }, { connection, prefix: t.prefix });
    try {
      expect(await waitFor(async () => (await queue().getJobState(failed.id!)) === 'failed', 10_000, 50)).toBe(true);
    } finally {
      await worker.close();
      await connection.quit();
    }
    const state = async () => ({
      paused: await queue().isPaused(),
      delayed: await Promise.all(delayed.map((j) => queue().getJobState(j.id!))),
      failed: await queue().getJobState(failed.id!),
    });
    const before = await state();
    expect(before).toEqual({ paused: false, delayed: ['delayed', 'delayed', 'delayed'], failed: 'failed' });

    const calls: Array<[string, string, unknown?]> = [
      ['POST', `/api/admin/jobs/queues/${QUEUE}/pause`],
      ['POST', `/api/admin/jobs/queues/${QUEUE}/promote`],
      ['POST', `/api/admin/jobs/queues/${QUEUE}/clean`, { state: 'delayed', olderThanMs: 0 }],
      ['POST', `/api/admin/jobs/${QUEUE}/${failed.id}/retry`],
      ['DELETE', `/api/admin/jobs/${QUEUE}/${delayed[0]!.id}`],
    ];
    // The session is cached: the requests reach their routes with PostgreSQL away.
    expect((await t.call('GET', '/api/admin/jobs/queues', { as: admin })).status).toBe(200);
    await pg.cut();
    const statuses: number[] = [];
    try {
      for (const [method, path, body] of calls) statuses.push((await t.call(method, path, { as: admin, body })).status);
    } finally {
      await pg.restore();
    }
    expect(statuses.every((s) => s >= 500), JSON.stringify(statuses)).toBe(true);
    expect(await state()).toEqual(before);
    const audits = async () => (await t.app.database.db.selectFrom('admin_audit').select(['action']).orderBy('created_at').execute()).map((a) => a.action);
    expect(await audits()).toEqual([]);

    // Back: each works and is audited.
    for (const [method, path, body] of calls) {
      const res = await t.call(method, path, { as: admin, body });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    expect(await audits()).toEqual(['queue.pause', 'queue.promote', 'queue.clean', 'job.retry', 'job.remove']);
  });
});
