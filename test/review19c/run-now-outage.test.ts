import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, type TestApp } from '../helpers/context.js';
import { REDIS_CLUSTER } from '../helpers/env.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { appBehindProxy } from '../helpers/outage.js';

/**
 * Run now while PostgreSQL is unreachable (Redis up, the admin's session cached): the run must not
 * be queued without its audit entry. Before the fix the job went to Redis first and the audit
 * insert failed after: the admin got an error, and the schedule ran all the same, unaudited.
 */
const SCHEDULE = 'notification-retention';
let pg: CuttableProxy;
let t: TestApp;
let admin: Session;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ proxy: pg, t, close } = await appBehindProxy('postgres', { SCHEDULE_CHECK_MS: '60000' }));
  admin = await t.admin();
});
afterAll(() => close?.());

const runs = async () => (await t.app.queues.get('notification-inbox').getJobs(['waiting', 'prioritized', 'active', 'delayed']))
  .filter((j) => j?.id?.startsWith(`schedule-run-${SCHEDULE}-`)).map((j) => j.id);

describe('run now while PostgreSQL is unreachable', () => {
  it('queues nothing it could not audit, and says so', async () => {
    // The session is cached: the request reaches the route with PostgreSQL away.
    expect((await t.call('GET', '/api/admin/jobs/queues', { as: admin })).status).toBe(200);
    await pg.cut();
    let status: number;
    try {
      status = (await t.call('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, { as: admin })).status;
    } finally {
      await pg.restore();
    }
    expect(status).toBeGreaterThanOrEqual(500);
    expect(await runs()).toEqual([]);
    // Back: a run is queued and audited.
    const ok = await t.call('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, { as: admin });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect(await runs()).toEqual([ok.body.data.jobId]);
    const audited = await t.app.database.db.selectFrom('admin_audit').select(['job_id']).where('action', '=', 'schedule.run').execute();
    expect(audited.map((a) => a.job_id)).toEqual([ok.body.data.jobId]);
  });
});

describe.skipIf(REDIS_CLUSTER)('run now while Redis is unreachable', () => {
  let redis: CuttableProxy;
  let r: TestApp;
  let a: Session;
  let closeR: () => Promise<void>;
  beforeAll(async () => {
    ({ proxy: redis, t: r, close: closeR } = await appBehindProxy('redis'));
    a = await r.admin();
  });
  afterAll(() => closeR?.());

  it('answers 503 within a bounded wait; a run Redis takes once back is audited then', async () => {
    await redis.cut();
    let res: Awaited<ReturnType<TestApp['call']>> | 'hung';
    try {
      // Before: the request hung until Redis was back (OPERATIONS said it failed).
      res = await Promise.race([
        r.call('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, { as: a }),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
      ]);
    } finally {
      await redis.restore();
    }
    expect(res).toMatchObject({ status: 503, body: { success: false, error: 'Redis is unreachable: the run was not queued' } });
    // ioredis sends the queued command once connected again: the run is queued, and audited as late.
    const queued = async () => (await r.app.queues.get('notification-inbox').getJobs(['waiting', 'prioritized', 'active', 'delayed']))
      .filter((j) => j?.id?.startsWith(`schedule-run-${SCHEDULE}-`)).map((j) => j.id);
    const audited = async () => (await r.app.database.db.selectFrom('admin_audit').select(['job_id', 'details']).where('action', '=', 'schedule.run').execute());
    await expect.poll(async () => (await queued()).length).toBe(1);
    const [jobId] = await queued();
    await expect.poll(audited).toEqual([{ job_id: jobId, details: { schedule: SCHEDULE, deduplicated: false, late: true } }]);
  });
});
