import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';

/**
 * A bulk step while PostgreSQL is unreachable (Redis up, the admin's session cached): it must act
 * on nothing it cannot audit. Before the fix the step promoted (or removed, or retried) its jobs in
 * Redis and then failed to write its audit entry: the admin got an error for a step that happened,
 * unaudited (and a removal left its outbox rows open for the relay to add the jobs back).
 */
let pg: CuttableProxy;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  pg = await new CuttableProxy('127.0.0.1', 5432).start();
  t = await createTestApp((database) => {
    const url = new URL(database.url);
    url.host = `127.0.0.1:${pg.port}`;
    return { DATABASE_URL: url.toString(), RATE_LIMITS: 'off', JOB_BULK_PAGE_SIZE: '10' };
  }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await pg?.close();
});

const queue = () => t.app.queues.get('media-scan');
const audits = async () => t.app.database.db.selectFrom('admin_audit').select(['action']).where('action', 'like', 'queue.bulk.%').execute();

describe('a bulk step while PostgreSQL is unreachable', () => {
  it('acts on no job (nothing it could not audit), and acts and audits once PostgreSQL is back', async () => {
    const jobs = await queue().addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'Work', data: { i }, opts: { delay: 3_600_000 } })));
    const body = { action: 'promote', state: 'delayed', filter: { name: 'Work' } };
    const count = await t.call('POST', '/api/admin/jobs/queues/media-scan/bulk/count', { as: admin, body });
    expect(count.body.data.count).toBe(5);
    const step = { ...body, asOf: count.body.data.asOf, expected: 5 };
    await pg.cut();
    let status: number;
    try {
      status = (await t.call('POST', '/api/admin/jobs/queues/media-scan/bulk', { as: admin, body: step })).status;
    } finally {
      await pg.restore();
    }
    expect(status).toBeGreaterThanOrEqual(500);
    expect(await Promise.all(jobs.map((j) => queue().getJobState(j.id!)))).toEqual(jobs.map(() => 'delayed'));
    expect(await audits()).toEqual([]);

    const again = await t.call('POST', '/api/admin/jobs/queues/media-scan/bulk', { as: admin, body: step });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data).toMatchObject({ acted: 5, skipped: 0, done: true });
    expect(await audits()).toEqual([{ action: 'queue.bulk.promote' }]);
  });
});
