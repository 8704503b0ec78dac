import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import type { App } from '../../src/app.js';
import { analyticsAggregationJobs } from '../../src/analytics/aggregation.job.js';
import type { AggregationService } from '../../src/analytics/aggregation.service.js';
import { SCHEDULES, ScheduleKeeper, upsertSchedules } from '../../src/platform/queue/schedules.js';
import { createTestApp, deleteRedisPrefix, type TestApp } from '../helpers/context.js';
import { scanKeys } from '../helpers/redis.js';

/**
 * Issue 16, point 9: job schedulers live only in Redis. Deleting every key of this test's prefix
 * is what FLUSHALL (or a restart without persistence) does to it, without touching the other
 * test files' keys on the shared Redis.
 */
const CHECK_MS = 300;

describe('schedules after Redis lost its data', () => {
  let t: TestApp;
  let second: App;
  beforeAll(async () => {
    t = await createTestApp({ SCHEDULE_CHECK_MS: String(CHECK_MS) }, { roles: ['scheduler'] });
    second = await t.sibling({ roles: ['scheduler'] });
  });
  afterAll(async () => {
    await second.stop();
    await t.close();
  });

  /** Every schedule's id, as BullMQ has it in each queue. */
  const registered = async () => {
    const queues = [...new Set(SCHEDULES.map((s) => s.queue))];
    const lists = await Promise.all(queues.map((q) => t.app.queues.get(q).getJobSchedulers(0, -1)));
    return lists.flat().map((s) => s.key).sort();
  };

  it('two running schedulers restore every schedule, once each, within the check interval', async () => {
    const all = SCHEDULES.map((s) => s.id).sort();
    expect(await registered()).toEqual(all);
    await deleteRedisPrefix(t.prefix);
    expect(await registered()).toEqual([]);
    const flushedAt = Date.now();
    await expect.poll(registered, { timeout: 10 * CHECK_MS, interval: 50 }).toEqual(all);
    // Restored by a check round (not a boot), so within about one interval plus the round itself.
    expect(Date.now() - flushedAt).toBeLessThan(5 * CHECK_MS);
    // Each has its next run again (the delayed job BullMQ fires it from).
    for (const s of SCHEDULES) expect((await t.app.queues.get(s.queue).getJobScheduler(s.id))?.next).toBeGreaterThan(flushedAt);
  });

  it('a run whose time fell between the flush and the restore is caught up once, for its own period, by two schedulers at once', async () => {
    // The daily rollup under an id the apps' keepers do not know, so only these two keepers (one
    // per process, with a clock of their own) restore it.
    const daily = SCHEDULES.find((s) => s.id === 'analytics-daily')!;
    const probe = { ...daily, id: 'catch-up-probe' };
    let clock = Date.parse('2025-03-02T00:09:40Z');
    const restored: Array<[string, string]> = []; // what herald_schedules_restored_total{queue,schedule} counts
    const keepers = [t.app.queues, second.queues].map((queues) =>
      new ScheduleKeeper({ queues, log: t.app.log, intervalMs: 60_000, schedules: [probe], states: async () => new Map(), now: () => clock, onRestored: (id, q) => restored.push([id, q]) }));
    const queue = t.app.queues.get('analytics-aggregation');
    // (the apps' keepers may catch up a run of theirs in this queue too: only the probe's count)
    const oneOffs = async () => (await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed'])).filter((j) => j.id?.startsWith(`schedule-catch-up-${probe.id}-`));

    await upsertSchedules(t.app.queues, [probe]);
    await Promise.all(keepers.map((k) => k.check())); // both see it, 20 s before its 00:10 run
    await deleteRedisPrefix(t.prefix); // the flush: the 00:10 run's delayed job is gone with it
    clock = Date.parse('2025-03-02T00:10:05Z'); // the run's time passes before the next check
    await Promise.all(keepers.map((k) => k.check()));

    expect(await queue.getJobScheduler(probe.id)).toBeTruthy();
    expect(restored.length).toBeGreaterThan(0);
    expect(new Set(restored.map((r) => r.join(' ')))).toEqual(new Set(['catch-up-probe analytics-aggregation']));
    const jobs = await oneOffs();
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.name).toBe('AnalyticsAggregate');
    expect(job.data).toEqual(daily.data); // what the scheduler's job carries
    // The handler closes the day before the missed 00:10 run (1 March), not the day before now.
    const runs: Array<{ type: string; start: Date; trigger: string }> = [];
    const aggregation = { run: async (p: (typeof runs)[number]) => { runs.push(p); return {}; }, requestLatePassIfFlagged: async () => undefined };
    await analyticsAggregationJobs({ aggregation: aggregation as unknown as AggregationService }).AnalyticsAggregate(job.data as never, job as Job);
    expect(runs).toEqual([{ type: 'daily', start: new Date('2025-03-01T00:00:00Z'), trigger: 'schedule' }]);

    // A later flush after that restore: the 00:10 run is before the keepers last saw the schedule.
    await deleteRedisPrefix(t.prefix);
    clock = Date.parse('2025-03-02T00:10:40Z');
    await Promise.all(keepers.map((k) => k.check()));
    expect(await queue.getJobScheduler(probe.id)).toBeTruthy();
    expect(await oneOffs()).toHaveLength(0);
    await queue.removeJobScheduler(probe.id);
  });

  it('restores a scheduler whose hash survived but whose entry in the schedule set did not (a flush racing a restore)', async () => {
    // What a key-by-key loss can leave (seen in CI: a restore landing between two deletes): each
    // scheduler's hash is there, the sorted set that makes it fire is gone.
    const all = SCHEDULES.map((s) => s.id).sort();
    await expect.poll(registered, { timeout: 10 * CHECK_MS, interval: 50 }).toEqual(all); // whole again after the test before
    const sets = await scanKeys(`${t.prefix}:*:repeat`);
    expect(sets.length).toBeGreaterThan(0);
    await Promise.all(sets.map((key) => t.app.redis.del(key))); // one queue per slot on a cluster
    expect(await registered()).toEqual([]);
    await expect.poll(registered, { timeout: 10 * CHECK_MS, interval: 50 }).toEqual(all);
  });

  it('a second flush is repaired too (the check keeps running)', async () => {
    await deleteRedisPrefix(t.prefix);
    await expect.poll(registered, { timeout: 10 * CHECK_MS, interval: 50 }).toHaveLength(SCHEDULES.length);
  });
});
