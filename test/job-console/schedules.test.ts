import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { SCHEDULES } from '../../src/platform/queue/schedules.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Schedule control (issue 19): pause, resume, run now and the last runs, through the API of an
 * app with every role (its keeper checks once at boot, then every minute: the keeper's own
 * rounds are driven by test/platform/schedule-state.test.ts).
 */
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ SCHEDULE_CHECK_MS: '60000', WORKER_HEARTBEAT_MS: '200', JOB_HISTORY_FLUSH_MS: '100' });
  admin = await t.admin();
});
afterAll(() => t.close());

const get = (path: string) => t.call('GET', path, { as: admin });
const post = (path: string) => t.call('POST', path, { as: admin });
const schedule = (id: string) => SCHEDULES.find((s) => s.id === id)!;
const scheduler = (id: string) => t.app.queues.get(schedule(id).queue).getJobScheduler(id);
const listed = async (id: string) => (await get('/api/admin/jobs/schedulers')).body.data.find((s: { id: string }) => s.id === id);
const audit = async (action: string) => (await get('/api/admin/jobs/audit?pageSize=100')).body.data.filter((a: { action: string }) => a.action === action);

describe('pause and resume', () => {
  it('pausing removes the scheduler and its next iteration; the list shows it paused and not overdue; health stays healthy', async () => {
    const before = await scheduler('search-reindex');
    expect(before?.next).toBeGreaterThan(Date.now());
    const queue = t.app.queues.get('search-index-reindex');
    expect(await queue.getJobState(`repeat:search-reindex:${before!.next}`)).toBe('delayed');

    const res = await post('/api/admin/jobs/schedulers/search-reindex/pause');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: 'search-reindex', paused: true, pausedAt: expect.any(String), pausedBy: admin.user.id, nextRun: null } });
    expect(await scheduler('search-reindex')).toBeFalsy();
    expect(await queue.getJobState(`repeat:search-reindex:${before!.next}`)).toBe('unknown');

    expect(await listed('search-reindex')).toMatchObject({
      registered: false, nextRun: null, paused: true, pausedAt: res.body.data.pausedAt, pausedBy: admin.user.id, overdue: false,
    });
    expect(await listed('digest-daily')).toMatchObject({ paused: false, pausedAt: null, pausedBy: null, overdue: false, registered: true });

    // Unregistered but paused: not a problem of its group, shown as paused (health polls until the workers' heartbeats are in).
    let search: { healthy: boolean; problems: string[]; warnings?: string[]; schedules: Array<{ id: string; paused: boolean; overdue: boolean }> } | undefined;
    expect(await waitFor(async () => {
      search = (await get('/api/admin/jobs/health')).body.data.search;
      return search!.healthy;
    }, 10_000, 100)).toBe(true);
    expect(search!.problems).toEqual([]);
    expect(search!.schedules).toEqual([expect.objectContaining({ id: 'search-reindex', paused: true, overdue: false, nextRun: null })]);
    expect(search!.warnings).toEqual([`search-reindex: paused since ${res.body.data.pausedAt}`]);
  });

  it('pausing again answers the same state and records nothing more', async () => {
    const first = (await listed('search-reindex')).pausedAt;
    const again = await post('/api/admin/jobs/schedulers/search-reindex/pause');
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ id: 'search-reindex', paused: true, pausedAt: first, pausedBy: admin.user.id, nextRun: null });
    expect(await audit('schedule.pause')).toEqual([expect.objectContaining({ queue: 'search-index-reindex', jobId: null, details: { schedule: 'search-reindex' }, adminId: admin.user.id })]);
  });

  it('resuming registers it again with its next run in the future; resuming again changes nothing', async () => {
    const at = Date.now();
    const res = await post('/api/admin/jobs/schedulers/search-reindex/resume');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: 'search-reindex', paused: false, pausedAt: null, pausedBy: null, nextRun: expect.any(String) });
    expect(Date.parse(res.body.data.nextRun)).toBeGreaterThan(at);
    const registered = await scheduler('search-reindex');
    expect(registered?.next).toBe(Date.parse(res.body.data.nextRun));
    expect(await t.app.queues.get('search-index-reindex').getJobState(`repeat:search-reindex:${registered!.next}`)).toBe('delayed');
    expect(await listed('search-reindex')).toMatchObject({ registered: true, paused: false, overdue: false });

    const again = await post('/api/admin/jobs/schedulers/search-reindex/resume');
    expect(again.body.data).toEqual(res.body.data);
    expect(await audit('schedule.resume')).toHaveLength(1);
    const search = (await get('/api/admin/jobs/health')).body.data.search;
    expect(search.schedules).toEqual([expect.objectContaining({ id: 'search-reindex', paused: false })]);
    expect(search.warnings ?? []).toEqual([]);
  });

  it('a pause and a resume of one schedule at once end coherent: paused with no scheduler, or running with one', async () => {
    for (let round = 0; round < 20; round++) {
      await Promise.all([post('/api/admin/jobs/schedulers/analytics-weekly/pause'), post('/api/admin/jobs/schedulers/analytics-weekly/resume')]);
      const [view, registered] = await Promise.all([listed('analytics-weekly'), scheduler('analytics-weekly')]);
      expect(Boolean(registered?.next)).toBe(!view.paused);
    }
    await post('/api/admin/jobs/schedulers/analytics-weekly/resume');
  });
});

describe('run now', () => {
  it('adds exactly one run however many requests arrive while it waits, paused or not, each request audited', async () => {
    const queue = t.app.queues.get('notification-inbox');
    await post('/api/admin/jobs/schedulers/notification-retention/pause');
    // Hold the queue so the run stays waiting through every request (a run that started frees the key).
    await queue.pause();
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => post('/api/admin/jobs/schedulers/notification-retention/run')));
      for (const a of answers) expect(a.status).toBe(202);
      const ids = new Set(answers.map((a) => a.body.data.jobId));
      expect(ids.size).toBe(1);
      const jobId = [...ids][0] as string;
      expect(jobId).toMatch(/^schedule-run-notification-retention-\d+$/);
      // One process: exactly the first is the new run, every other request joined it.
      expect(answers.filter((a) => !a.body.data.deduplicated)).toHaveLength(1);
      const runs = (await queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'])).filter((j) => j.id?.startsWith('schedule-run-notification-retention-'));
      expect(runs.map((j) => j.id)).toEqual([jobId]);
      expect(runs[0]).toMatchObject({ name: 'NotificationsPurge', data: schedule('notification-retention').data });
      expect(await audit('schedule.run')).toHaveLength(answers.length);
      // The waiting run shows first in the schedule's runs.
      const listedRuns = (await get('/api/admin/jobs/schedulers/notification-retention/runs')).body.data;
      expect(listedRuns[0]).toMatchObject({ jobId, trigger: 'manual', finishedAt: null });

      await queue.resume();
      // A manual run runs while the schedule is paused (not skipped).
      expect(await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 10_000, 50)).toBe(true);
      expect((await queue.getJob(jobId))!.returnvalue).not.toEqual({ skipped: 'paused' });
      // Job history recorded it as a run of the schedule (the workers' writer, schedule_id by scheduleIdOf).
      const recorded = async () => (await get('/api/admin/jobs/schedulers/notification-retention/runs')).body.data.find((r: { jobId: string }) => r.jobId === jobId);
      await expect.poll(recorded, { timeout: 10_000, interval: 100 }).toMatchObject({ trigger: 'manual', state: 'completed', finishedAt: expect.any(String), durationMs: expect.any(Number) });
      // Once it ran, the next click is a new run.
      const next = await post('/api/admin/jobs/schedulers/notification-retention/run');
      expect(next.body.data).toEqual({ jobId: expect.stringMatching(/^schedule-run-notification-retention-\d+$/), deduplicated: false });
      expect(next.body.data.jobId).not.toBe(jobId);
      expect(await waitFor(async () => (await queue.getJobState(next.body.data.jobId)) === 'completed', 10_000, 50)).toBe(true);
    } finally {
      await queue.resume();
      await post('/api/admin/jobs/schedulers/notification-retention/resume');
    }
  });
});

describe('the last runs', () => {
  it('answers job history\'s runs of the schedule, newest first, 20 at most, with trigger, outcome and duration', async () => {
    const db = t.app.database.db;
    const day = new Date(Date.now() - 86_400_000);
    await sql`SELECT job_history_ensure_partition(${day.toISOString().slice(0, 10)}::date)`.execute(db);
    const base = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 1);
    const row = (i: number, jobId: string, extra: Record<string, unknown> = {}) => ({
      queue: 'analytics-aggregation', job_id: jobId, name: 'AnalyticsAggregate', state: 'completed' as const, data: JSON.stringify({ jobType: 'monthly' }),
      attempts: 1, created_at: new Date(base + i * 60_000), processed_at: new Date(base + i * 60_000 + 5), finished_at: new Date(base + i * 60_000 + 1_005),
      wait_ms: 5, run_ms: 1_000, schedule_id: 'analytics-monthly', search_text: jobId, ...extra,
    });
    await db.insertInto('job_history').values([
      ...Array.from({ length: 22 }, (_, i) => row(i, `repeat:analytics-monthly:${base + i * 60_000}`)),
      row(22, `schedule-catch-up-analytics-monthly-${base}`),
      row(23, `schedule-run-analytics-monthly-${base + 1}`, { state: 'failed', failed_reason: 'boom', return_summary: null }),
      row(24, `repeat:analytics-monthly:${base + 24 * 60_000}`, { return_summary: '{"skipped":"paused"}' }),
      // Another schedule's run, and a job of no schedule: not listed.
      { ...row(25, 'repeat:analytics-daily:1'), schedule_id: 'analytics-daily' },
      { ...row(26, 'outbox-1'), schedule_id: null },
    ] as never).execute();

    const res = await get('/api/admin/jobs/schedulers/analytics-monthly/runs');
    expect(res.status).toBe(200);
    const runs = res.body.data;
    expect(runs).toHaveLength(20);
    expect(runs.slice(0, 3)).toEqual([
      { jobId: `repeat:analytics-monthly:${base + 24 * 60_000}`, trigger: 'schedule', state: 'skipped', startedAt: new Date(base + 24 * 60_000 + 5).toISOString(), finishedAt: new Date(base + 24 * 60_000 + 1_005).toISOString(), durationMs: 1_000, failedReason: null },
      expect.objectContaining({ jobId: `schedule-run-analytics-monthly-${base + 1}`, trigger: 'manual', state: 'failed', failedReason: 'boom' }),
      expect.objectContaining({ jobId: `schedule-catch-up-analytics-monthly-${base}`, trigger: 'catch-up', state: 'completed', durationMs: 1_000 }),
    ]);
    const finished = runs.map((r: { finishedAt: string }) => Date.parse(r.finishedAt));
    expect(finished).toEqual([...finished].sort((a, b) => b - a));
    expect(runs.at(-1).jobId).toBe(`repeat:analytics-monthly:${base + 5 * 60_000}`);
  });
});

describe('access and unknown schedules', () => {
  it('answers 404 for a schedule that does not exist, 403 to a non-admin, 401 to anyone else', async () => {
    const viewer = await t.user('CREATOR');
    for (const [method, action] of [['POST', 'pause'], ['POST', 'resume'], ['POST', 'run'], ['GET', 'runs']] as const) {
      const res = await t.call(method, `/api/admin/jobs/schedulers/no-such-schedule/${action}`, { as: admin });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Schedule not found' });
      expect((await t.call(method, `/api/admin/jobs/schedulers/search-reindex/${action}`, { as: viewer })).status).toBe(403);
      expect((await t.call(method, `/api/admin/jobs/schedulers/search-reindex/${action}`)).status).toBe(401);
    }
    expect(await listed('search-reindex')).toMatchObject({ paused: false, registered: true });
  });
});
