import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/platform/queue/outbox.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * DELETE /api/admin/jobs/:queueName/:jobId on a job relayed from the outbox: the relay's checks
 * for lost work (a relayed job gone from Redis) must not add it back. Bulk remove settled its rows
 * since the issue 19 review; the single remove did not, and its job came back within minutes.
 */
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_OVERRIDES: 'admin.jobs=10000' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(() => t.close());

describe('removing one relayed job', () => {
  it('settles its outbox row, so the relay does not bring it back; a job not removed is left alone', async () => {
    const db = t.app.database.db;
    const queue = t.app.queues.get('search-index-update');
    const hourAgo = new Date(Date.now() - 3_600_000);
    // Relayed an hour ago and waiting (no worker here): one by outbox id, one by a fixed job id, one that stays.
    const [byOutbox, kept] = await db.insertInto('outbox')
      .values([0, 1].map(() => ({ queue: 'search-index-update', job_name: 'Gone', payload: '{}', relayed_at: hourAgo }))).returning('id').execute();
    const fixed = await db.insertInto('outbox')
      .values({ queue: 'search-index-update', job_name: 'Gone', payload: '{}', relayed_at: hourAgo, job_id: 'remove-fixed-1' }).returning('id').executeTakeFirstOrThrow();
    const gone = [`outbox-${byOutbox!.id}`, 'remove-fixed-1'];
    await queue.addBulk([...gone, `outbox-${kept!.id}`].map((jobId) => ({ name: 'Gone', data: {}, opts: { jobId } })));

    for (const id of gone) {
      const res = await t.call('DELETE', `/api/admin/jobs/search-index-update/${id}`, { as: admin });
      expect([id, res.status]).toEqual([id, 200]);
    }
    const relay = new OutboxRelay({
      db, pool: t.app.database.pool, queues: t.app.queues, redis: t.app.redis, prefix: t.prefix, log: t.app.log, pollMs: 50, staleAfterMs: 1,
    });
    await relay.relayOnce();
    await relay.relayOnce();
    for (const id of gone) expect([id, await queue.getJobState(id)]).toEqual([id, 'unknown']);
    expect(await queue.getJobState(`outbox-${kept!.id}`)).toBe('waiting');
    const rows = await db.selectFrom('outbox').select(['id', 'failed_at']).where('id', 'in', [byOutbox!.id, kept!.id, fixed.id]).orderBy('id').execute();
    expect(rows.map((r) => r.failed_at !== null)).toEqual([true, false, true]);
    await queue.obliterate({ force: true });
  });
});
