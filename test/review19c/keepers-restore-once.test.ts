import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleStates, withScheduleState } from '../../src/platform/queue/schedule-state.js';
import { SCHEDULES, ScheduleKeeper, upsertSchedules } from '../../src/platform/queue/schedules.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Two scheduler processes find the same schedule missing from Redis in the same round (a flush,
 * a failover) and both repair it, each under the schedule's row lock in turn. One restore happened,
 * so one is counted: herald_schedules_restored_total is per process and summed over processes
 * (Metrics that add up). Before the fix the second keeper, once it had the lock, restored again
 * without looking: both counted it (sum 2 for one loss) and both logged a restore.
 */
let t: TestApp;
beforeAll(async () => {
  // No scheduler role: the app's own keeper would repair the loss in its first round too.
  t = await createTestApp({ SCHEDULE_CHECK_MS: '60000' }, { roles: ['api'] });
});
afterAll(async () => t?.close());

const sweep = SCHEDULES.find((s) => s.id === 'media-sweep')!;

describe('two keepers repairing one loss', () => {
  it('restore it once between them, and count it once', async () => {
    const counted: string[] = [];
    // Each keeper pauses after reading the states, so both rounds see the schedule missing.
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const keeper = () => new ScheduleKeeper({
      queues: t.app.queues, log: t.app.log, intervalMs: 60_000, schedules: [sweep],
      states: async () => {
        const states = await scheduleStates(t.app.database.db);
        if (++arrived === 2) release();
        await gate;
        return states;
      },
      lock: (id, work) => withScheduleState(t.app.database.db, id, work),
      onRestored: (id) => counted.push(id),
    });
    const queue = t.app.queues.get(sweep.queue);
    await upsertSchedules(t.app.queues, [sweep]);
    expect((await queue.getJobScheduler(sweep.id))?.next).toBeTruthy();
    await queue.removeJobScheduler(sweep.id);
    const [a, b] = await Promise.all([keeper().check(), keeper().check()]);
    expect([...a, ...b]).toEqual([sweep.id]);
    expect(counted).toEqual([sweep.id]);
    expect((await queue.getJobScheduler(sweep.id))?.next).toBeTruthy();
  });
});
