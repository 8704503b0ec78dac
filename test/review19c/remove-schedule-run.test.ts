import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Removing one job that is a schedule's next run (DELETE /api/admin/jobs/:queue/:id): BullMQ refuses
 * it (the scheduler owns it). Before the fix the refusal surfaced as a 500 'Internal server error';
 * it is a 400 that says what to do instead, and the schedule, its run and the audit log are untouched.
 */
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off', SCHEDULE_CHECK_MS: '60000' }, { roles: ['api', 'scheduler'] });
  admin = await t.admin();
});
afterAll(async () => t?.close());

describe('removing a schedule\'s next run', () => {
  it('is a 400 that says to pause the schedule, and changes nothing', async () => {
    const queue = t.app.queues.get('search-index-reindex');
    const next = (await queue.getJobScheduler('search-reindex'))!.next!;
    const id = `repeat:search-reindex:${next}`;
    expect(await queue.getJobState(id)).toBe('delayed');
    const res = await t.call('DELETE', `/api/admin/jobs/search-index-reindex/${encodeURIComponent(id)}`, { as: admin });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toBe('Cannot remove a schedule\'s next run: pause the schedule instead');
    expect(await queue.getJobState(id)).toBe('delayed');
    expect((await queue.getJobScheduler('search-reindex'))!.next).toBe(next);
    expect(await t.app.database.db.selectFrom('admin_audit').select('action').execute()).toEqual([]);
  });
});
