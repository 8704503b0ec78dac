import { describe, expect, it } from 'vitest';
import { judgeGroup, recentCount } from '../../src/admin/health.rules.js';

// The pure health rules, without the app (the endpoint that applies them: health.test.ts).

describe('recentCount', () => {
  it('adds the running minute to the closed minutes inside the window', () => {
    const now = Date.parse('2025-10-18T09:30:30Z');
    const metrics = { meta: { count: 50, prevCount: 40, prevTS: Date.parse('2025-10-18T09:28:10Z') }, data: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5] };
    // Running minute: 10; two minutes old, so 12 closed minutes fit in a 15-minute window.
    expect(recentCount(metrics, 15, now)).toBe(10 + 12 * 5);
    expect(recentCount(metrics, 1, now)).toBe(0);
    expect(recentCount({ meta: { count: 3, prevCount: 0, prevTS: 0 }, data: [] }, 15, now)).toBe(3);
  });
});

describe('judgeGroup', () => {
  it('needs a minimum sample before a failure rate counts', () => {
    const limits = { maxFailureRate: 0.1, failureMinJobs: 10, scheduleGraceMs: 0 };
    const now = new Date();
    expect(judgeGroup([{ queue: 'q', workers: 1, completed: 1, failed: 2 }], [], limits, now).healthy).toBe(true);
    expect(judgeGroup([{ queue: 'q', workers: 1, completed: 5, failed: 5 }], [], limits, now).healthy).toBe(false);
  });
});
