import { describe, expect, it } from 'vitest';
import { IdBlocks } from '../../src/analytics/id-blocks.js';

// IdBlocks' rules, over a counting reservation function (the values a sequence stepping by 512
// would give) and a clock the test moves: the database side is ingest-id-prefetch.test.

function sequence() {
  let next = 0;
  const calls: number[] = [];
  let fail: Error | null = null;
  let gate: Promise<void> = Promise.resolve();
  return {
    calls,
    failNext(err: Error) { fail = err; },
    hold() { let open!: () => void; gate = new Promise((r) => { open = r; }); return () => open(); },
    reserve: async (count: number) => {
      calls.push(count);
      await gate;
      if (fail) { const err = fail; fail = null; throw err; }
      return Array.from({ length: count }, () => String((next += 512) - 512));
    },
  };
}

describe('IdBlocks', () => {
  it('hands out each reserved block once, in order, and reserves again when none are left', async () => {
    const seq = sequence();
    const ids = new IdBlocks(seq.reserve, { perFetch: 3, maxAgeMs: 1_000, now: () => 0 });
    const taken = [];
    for (let i = 0; i < 7; i++) taken.push(await ids.take());
    expect(taken).toEqual(['0', '512', '1024', '1536', '2048', '2560', '3072']);
    expect(seq.calls).toEqual([3, 3, 3]);
  });

  it('drops blocks older than maxAgeMs unused', async () => {
    const seq = sequence();
    let clock = 0;
    const ids = new IdBlocks(seq.reserve, { perFetch: 4, maxAgeMs: 1_000, now: () => clock });
    expect(await ids.take()).toBe('0');
    clock = 1_000;
    expect(await ids.take()).toBe('512'); // exactly maxAgeMs old: still good
    clock = 1_001;
    expect(await ids.take()).toBe('2048'); // 1024 and 1536 dropped: the next reservation's first
    expect(seq.calls).toEqual([4, 4]);
  });

  it('shares one reservation among concurrent callers, and serves its waiters whatever maxAgeMs', async () => {
    const seq = sequence();
    let clock = 0;
    const ids = new IdBlocks(seq.reserve, { perFetch: 2, maxAgeMs: 0, now: () => clock });
    const open = seq.hold();
    const waiting = Array.from({ length: 5 }, () => ids.take());
    clock = 50; // the reservation took longer than maxAgeMs
    open();
    const taken = await Promise.all(waiting);
    expect(new Set(taken).size).toBe(5);
    expect(taken.every((v) => Number(v) % 512 === 0)).toBe(true);
    expect(seq.calls).toEqual([2, 2, 2]); // 5 callers, 2 a reservation, one at a time
  });

  it('fails the callers of a failed reservation, and the next take reserves anew', async () => {
    const seq = sequence();
    const ids = new IdBlocks(seq.reserve, { perFetch: 8, maxAgeMs: 1_000, now: () => 0 });
    seq.failNext(new Error('connection terminated'));
    const results = await Promise.allSettled([ids.take(), ids.take()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await ids.take()).toBe('0');
    expect(seq.calls).toEqual([8, 8]);
  });
});
