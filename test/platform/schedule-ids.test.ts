import { describe, expect, it } from 'vitest';
import { catchUpJobId, manualRunJobId, scheduleIdOf, SCHEDULES } from '../../src/platform/queue/schedules.js';

/** Which schedule a job is a run of: what job history's schedule_id and a schedule's last runs rely on. */
describe('scheduleIdOf', () => {
  it('names the schedule of a scheduler iteration, a catch-up and a manual run', () => {
    for (const s of SCHEDULES) {
      expect(scheduleIdOf({ id: `repeat:${s.id}:1765000000000`, repeatJobKey: s.id })).toBe(s.id);
      expect(scheduleIdOf({ id: catchUpJobId(s.id, 1765000000000) })).toBe(s.id);
      expect(scheduleIdOf({ id: manualRunJobId(s.id, 1765000000000) })).toBe(s.id);
    }
  });

  it('tells apart schedules whose ids share a prefix (digest-daily vs digest-daily-zoned)', () => {
    expect(scheduleIdOf({ id: catchUpJobId('digest-daily-zoned', 5) })).toBe('digest-daily-zoned');
    expect(scheduleIdOf({ id: catchUpJobId('digest-daily', 5) })).toBe('digest-daily');
  });

  it('names nothing for other jobs and for ids that only look like runs', () => {
    expect(scheduleIdOf({ id: 'outbox-12' })).toBeNull();
    expect(scheduleIdOf({ id: '42' })).toBeNull();
    expect(scheduleIdOf({ id: 'schedule-run-no-such-schedule-5' })).toBeNull();
    expect(scheduleIdOf({ id: 'schedule-run-digest-daily-' })).toBeNull();
    expect(scheduleIdOf({ id: 'schedule-run-digest-daily-5x' })).toBeNull();
    expect(scheduleIdOf({ id: 'x', repeatJobKey: 'not-a-schedule' })).toBeNull();
    expect(scheduleIdOf({})).toBeNull();
    expect(scheduleIdOf({ id: null, repeatJobKey: null })).toBeNull();
  });
});
