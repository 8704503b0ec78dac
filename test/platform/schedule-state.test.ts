import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { scheduleStates, withScheduleState } from '../../src/platform/queue/schedule-state.js';
import { catchUpJobId, manualRunJobId, SCHEDULES, ScheduleKeeper, upsertSchedules, type Schedule } from '../../src/platform/queue/schedules.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

/**
 * Paused schedules (issue 19) against the platform's ScheduleKeeper and WorkerPool: the keeper
 * never restores a paused schedule and removes one restored in a race with the pause; the worker
 * completes an iteration of a paused schedule without running it. Keeper rounds are driven here
 * (the app's own keeper checks at boot, then once a minute).
 */
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ SCHEDULE_CHECK_MS: '60000', JOB_HISTORY_FLUSH_MS: '100' });
  admin = await t.admin();
});
afterAll(() => t.close());

const sweep = SCHEDULES.find((s) => s.id === 'media-sweep')!;
const queue = () => t.app.queues.get(sweep.queue);
const registered = async (id = sweep.id) => Boolean((await queue().getJobScheduler(id))?.next);
const pause = async () => expect((await t.call('POST', `/api/admin/jobs/schedulers/${sweep.id}/pause`, { as: admin })).status).toBe(200);
const resume = async () => expect((await t.call('POST', `/api/admin/jobs/schedulers/${sweep.id}/resume`, { as: admin })).status).toBe(200);

/**
 * A keeper of media-sweep alone, reading the pause states from the database and locking a
 * schedule's row to act, as the app's own (roles.ts); `between` runs after it read the states.
 */
function keeper(between?: () => Promise<void>) {
  return new ScheduleKeeper({
    queues: t.app.queues, log: t.app.log, intervalMs: 60_000, schedules: [sweep],
    states: async () => {
      const states = await scheduleStates(t.app.database.db);
      await between?.();
      return states;
    },
    lock: (id, work) => withScheduleState(t.app.database.db, id, work),
  });
}
const catchUpsOfSweep = async () => (await queue().getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']))
  .filter((j) => j.id?.startsWith(`schedule-catch-up-${sweep.id}-`));

describe('the ScheduleKeeper and a paused schedule', () => {
  it('does not restore a paused schedule, and removes one found registered', async () => {
    await pause();
    expect(await registered()).toBe(false);
    expect(await keeper().check()).toEqual([]);
    expect(await registered()).toBe(false);
    // Registered behind the pause's back (an old process's boot, a racing restore): the next round removes it.
    await upsertSchedules(t.app.queues, [sweep]);
    expect(await registered()).toBe(true);
    await keeper().check();
    expect(await registered()).toBe(false);
    await resume();
    expect(await registered()).toBe(true);
  });

  it('a round that read "not paused" just before a pause neither restores the scheduler nor makes a run up', async () => {
    // The keeper saw the scheduler (a run owed from then on if Redis loses it), then Redis lost it;
    // the next round finds it missing, with a pause landing between its read of the states and its restore.
    await keeper().check();
    await queue().removeJobScheduler(sweep.id);
    const racing = keeper(pause);
    const before = (await catchUpsOfSweep()).length;
    expect(await racing.check()).toEqual([]);
    expect(await registered()).toBe(false);
    expect(await catchUpsOfSweep()).toHaveLength(before);
    expect((await scheduleStates(t.app.database.db)).get(sweep.id)?.pausedAt).toBeInstanceOf(Date);
    await resume();
    expect(await registered()).toBe(true);
  });

  it('a round that read "paused" just before a resume leaves the resumed scheduler registered', async () => {
    await pause();
    expect(await registered()).toBe(false);
    // Read "paused", then the admin resumes (the scheduler is registered again), then the round acts.
    expect(await keeper(resume).check()).toEqual([]);
    expect(await registered()).toBe(true);
    expect(await keeper().check()).toEqual([]);
    expect(await registered()).toBe(true);
  });

  it('without PostgreSQL, a round acts on the states read last: a scheduler Redis lost is restored', async () => {
    let down = false;
    const unreachable = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const k = new ScheduleKeeper({
      queues: t.app.queues, log: t.app.log, intervalMs: 60_000, schedules: [sweep],
      states: () => (down ? unreachable() : scheduleStates(t.app.database.db)),
      lock: (id, work) => (down ? unreachable() : withScheduleState(t.app.database.db, id, work)),
    });
    expect(await k.check()).toEqual([]);
    down = true;
    await queue().removeJobScheduler(sweep.id);
    expect(await k.check()).toEqual([sweep.id]);
    expect(await registered()).toBe(true);
  });
});

describe('the WorkerPool and a paused schedule', () => {
  it('completes an iteration or catch-up of a paused schedule without running it; a manual run runs', async () => {
    await pause();
    const q = queue();
    // A scheduler that fires every 200 ms under the paused schedule's id: iterations as a racing restore would leave them.
    await q.upsertJobScheduler(sweep.id, { every: 200 }, { name: sweep.job, data: sweep.data });
    const iterations = async () => (await q.getJobs(['completed'])).filter((j) => j.repeatJobKey === sweep.id);
    try {
      expect(await waitFor(async () => (await iterations()).length >= 2, 10_000, 50)).toBe(true);
    } finally {
      await q.removeJobScheduler(sweep.id);
    }
    for (const job of await iterations()) expect(job.returnvalue).toEqual({ skipped: 'paused' });

    const catchUp = await q.add(sweep.job, sweep.data, { jobId: catchUpJobId(sweep.id, Date.now() - 60_000) });
    const manual = await q.add(sweep.job, sweep.data, { jobId: manualRunJobId(sweep.id, Date.now()) });
    const done = async (job: Job) => (await q.getJobState(job.id!)) === 'completed';
    expect(await waitFor(async () => (await done(catchUp)) && (await done(manual)), 10_000, 50)).toBe(true);
    expect((await q.getJob(catchUp.id!))!.returnvalue).toEqual({ skipped: 'paused' });
    expect((await q.getJob(manual.id!))!.returnvalue).not.toEqual({ skipped: 'paused' });
    // The schedule's last runs say so: the skipped iterations and catch-up, the manual run completed.
    const runs = async () => (await t.call('GET', `/api/admin/jobs/schedulers/${sweep.id}/runs`, { as: admin })).body.data as Array<{ jobId: string; trigger: string; state: string }>;
    await expect.poll(async () => {
      const listed = await runs();
      return [listed.find((r) => r.jobId === catchUp.id)?.state, listed.find((r) => r.jobId === manual.id)?.state, listed.some((r) => r.trigger === 'schedule' && r.state === 'skipped')];
    }, { timeout: 10_000, interval: 100 }).toEqual(['skipped', 'completed', true]);
    await resume();

    // Resumed: an iteration runs its handler again.
    await q.upsertJobScheduler(sweep.id, { every: 200 }, { name: sweep.job, data: sweep.data });
    const ran = async () => (await iterations()).filter((j) => !('skipped' in ((j.returnvalue as object | null) ?? {})));
    try {
      expect(await waitFor(async () => (await ran()).length >= 1, 10_000, 50)).toBe(true);
    } finally {
      await q.removeJobScheduler(sweep.id);
      await upsertSchedules(t.app.queues, [sweep]);
    }
  });
});

describe('no catch-up of runs skipped while paused', () => {
  // The daily rollup under an id of its own, so only these keepers (with clocks of their own) see it.
  const daily = SCHEDULES.find((s) => s.id === 'analytics-daily')!;
  const probe: Schedule = { ...daily, id: 'pause-catch-up-probe' };
  const catchUps = async () => (await t.app.queues.get(probe.queue).getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']))
    .filter((j) => j.id?.startsWith(`schedule-catch-up-${probe.id}-`));

  /**
   * A keeper saw the schedule at 00:09:40; it was paused and resumed (at `resumedAt`) between two of
   * its rounds, then Redis lost it; the round at 00:10:40 restores it. The 00:10 run fell while it
   * was paused when the resume came after it.
   */
  async function lostAfterResume(resumedAt: string) {
    let clock = Date.parse('2025-03-02T00:09:40Z');
    let states = new Map<string, { pausedAt: Date | null; resumedAt: Date | null }>();
    const k = new ScheduleKeeper({ queues: t.app.queues, log: t.app.log, intervalMs: 60_000, schedules: [probe], states: async () => states, now: () => clock });
    await upsertSchedules(t.app.queues, [probe]);
    await k.check();
    states = new Map([[probe.id, { pausedAt: null, resumedAt: new Date(resumedAt) }]]);
    await t.app.queues.get(probe.queue).removeJobScheduler(probe.id);
    clock = Date.parse('2025-03-02T00:10:40Z');
    expect(await k.check()).toEqual([probe.id]);
    await t.app.queues.get(probe.queue).removeJobScheduler(probe.id);
  }

  it('a run at or before the last resume is not made up; one after it is', async () => {
    await lostAfterResume('2025-03-02T00:10:20Z');
    expect(await catchUps()).toHaveLength(0);
    // Control: resumed before the 00:10 run, which was then lost with Redis: made up.
    await lostAfterResume('2025-03-02T00:09:50Z');
    expect((await catchUps()).map((j) => j.id)).toEqual([catchUpJobId(probe.id, Date.parse('2025-03-02T00:10:00Z'))]);
  });
});
