import { afterEach, expect, it, vi } from 'vitest';
import { IdBlocks } from '../../src/analytics/id-blocks.js';

// Review of 9c5e34d: IdBlocks measured a block's age on the wall clock (Date.now), so a wall clock
// stepped back (NTP, a VM resumed) made blocks reserved "in the future" look fresh far beyond
// maxAgeMs. Age is elapsed time: 10 minutes elapse (both clocks move), then the wall clock alone is
// stepped back an hour; the held blocks must be dropped all the same.
afterEach(() => {
  vi.useRealTimers();
});

it('a block held longer than maxAgeMs by elapsed time is dropped, whatever the wall clock says', async () => {
  vi.useFakeTimers({ toFake: ['Date', 'performance'] });
  vi.setSystemTime(new Date('2026-12-07T12:00:00Z'));
  let next = 0;
  const reserve = async (n: number) => Array.from({ length: n }, () => String((next += 512) - 512));
  const ids = new IdBlocks(reserve, { perFetch: 4, maxAgeMs: 1_000 });
  expect(await ids.take()).toBe('0'); // reserves 0, 512, 1024, 1536
  vi.advanceTimersByTime(10 * 60_000);
  vi.setSystemTime(new Date('2026-12-07T11:10:00Z'));
  expect(await ids.take()).toBe('2048'); // 512, 1024 and 1536 dropped: a new reservation
});
