import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { appBehindProxy } from '../helpers/outage.js';

/**
 * A bulk step while PostgreSQL is unreachable (Redis up, the admin's session cached): it must act
 * on nothing it cannot audit. Before the fix the step promoted (or removed, or retried) its jobs in
 * Redis and then failed to write its audit entry: the admin got an error for a step that happened,
 * unaudited (and a removal left its outbox rows open for the relay to add the jobs back).
 */
let pg: CuttableProxy;
let t: TestApp;
let admin: Session;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ proxy: pg, t, close } = await appBehindProxy('postgres', { JOB_BULK_PAGE_SIZE: '10' }));
  admin = await t.admin();
});
afterAll(() => close?.());

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
