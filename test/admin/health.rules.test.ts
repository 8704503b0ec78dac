import { describe, expect, it } from 'vitest';
import { judgeGroup, pausedWarnings, recentCount } from '../../src/admin/health.rules.js';

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

  it('a paused schedule is shown paused, never overdue nor a problem; an unpaused one unregistered or late is', () => {
    const limits = { maxFailureRate: 0.1, failureMinJobs: 10, scheduleGraceMs: 60_000 };
    const now = new Date('2025-10-18T09:30:00Z');
    const pausedAt = new Date('2025-10-17T08:00:00Z');
    const schedules = [
      { id: 'held', pattern: '* * * * *', next: null, pausedAt },
      { id: 'held-late', pattern: '* * * * *', next: new Date('2025-10-18T09:00:00Z'), pausedAt },
      { id: 'fine', pattern: '* * * * *', next: new Date('2025-10-18T09:29:30Z'), pausedAt: null },
    ];
    const judged = judgeGroup([{ queue: 'q', workers: 1, completed: 0, failed: 0 }], schedules, limits, now);
    expect(judged.healthy).toBe(true);
    expect(judged.problems).toEqual([]);
    expect(judged.schedules).toEqual([
      { id: 'held', pattern: '* * * * *', nextRun: null, overdue: false, paused: true },
      { id: 'held-late', pattern: '* * * * *', nextRun: null, overdue: false, paused: true },
      { id: 'fine', pattern: '* * * * *', nextRun: '2025-10-18T09:29:30.000Z', overdue: false, paused: false },
    ]);
    expect(pausedWarnings(schedules)).toEqual(['held: paused since 2025-10-17T08:00:00.000Z', 'held-late: paused since 2025-10-17T08:00:00.000Z']);
    const unpaused = judgeGroup([], schedules.map((s) => ({ ...s, pausedAt: null })), limits, now);
    expect(unpaused.healthy).toBe(false);
    expect(unpaused.problems).toEqual(['held: schedule not registered (no scheduler process has run)', 'held-late: overdue since 2025-10-18T09:00:00.000Z']);
  });
});
