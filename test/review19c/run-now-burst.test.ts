import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Run now clicked twenty times at once while the schedule's queue is being worked (not held as in
 * schedules.test): runs may start between clicks, so more than one run may be queued (each click
 * after a start queues the next one), but every answer names a job that exists, `deduplicated`
 * is true exactly for the answers that joined another click's run, and each click is audited once
 * with the job it answered.
 */
const SCHEDULE = 'notification-retention';
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off', SCHEDULE_CHECK_MS: '60000' });
  admin = await t.admin();
});
afterAll(async () => t?.close());

describe('twenty run-now clicks at once, workers running', () => {
  it('queues a run per click that found none waiting, answers each with a real job, audits each once', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.call('POST', `/api/admin/jobs/schedulers/${SCHEDULE}/run`, { as: admin })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202);
    const queue = t.app.queues.get('notification-inbox');
    const fresh = answers.filter((a) => !a.body.data.deduplicated).map((a) => a.body.data.jobId as string);
    expect(new Set(fresh).size).toBe(fresh.length);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    // Every run answered completes; no other run of the schedule was made.
    await expect.poll(async () => (await Promise.all(fresh.map((id) => queue.getJobState(id)))).every((s) => s === 'completed')).toBe(true);
    const made = (await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized'])).map((j) => j.id!).filter((id) => id.startsWith(`schedule-run-${SCHEDULE}-`));
    expect(made.sort()).toEqual([...fresh].sort());
    // A deduplicated answer names one of those runs.
    for (const a of answers) expect(fresh).toContain(a.body.data.jobId);
    const audited = await t.app.database.db.selectFrom('admin_audit').select(['job_id', 'details']).where('action', '=', 'schedule.run').execute();
    expect(audited.map((r) => r.job_id).sort()).toEqual(answers.map((a) => a.body.data.jobId).sort());
    expect(audited.filter((r) => !(r.details as { deduplicated: boolean }).deduplicated).map((r) => r.job_id).sort()).toEqual([...fresh].sort());
  });
});
