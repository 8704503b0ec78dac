import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { SCHEDULES } from '../../src/platform/queue/schedules.js';
import { createTestApp, deleteRedisPrefix, type TestApp } from '../helpers/context.js';

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

  it('a second flush is repaired too (the check keeps running)', async () => {
    await deleteRedisPrefix(t.prefix);
    await expect.poll(registered, { timeout: 10 * CHECK_MS, interval: 50 }).toHaveLength(SCHEDULES.length);
  });
});
