import { describe, expect, it } from 'vitest';
import { localTime, periodKey } from '../../src/digests/digest.time.js';

// The calendar parts of a local clock that digest.time.test.ts does not reach: every weekday, the
// default zone, the whole date.

describe('the local clock, whole', () => {
  it('numbers every weekday Monday 1 … Sunday 7', () => {
    // 2025-10-20 is a Monday; noon UTC is the same date in UTC and Paris.
    const week = Array.from({ length: 7 }, (_, i) => localTime(new Date(Date.UTC(2025, 9, 20 + i, 12)), 'Europe/Paris').isoWeekday);
    expect(week).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads UTC when no zone is given', () => {
    expect(localTime(new Date('2025-03-09T23:59:00Z'))).toEqual({ year: 2025, month: 3, day: 9, hour: 23, minute: 59, isoWeekday: 7 });
  });

  it('gives every field of the local date and time, in a zone behind UTC', () => {
    expect(localTime(new Date('2026-01-01T04:05:00Z'), 'America/New_York')).toEqual({ year: 2025, month: 12, day: 31, hour: 23, minute: 5, isoWeekday: 3 });
  });

  it('keys a weekly period in the zone\'s calendar, with a zero-padded week', () => {
    // Sunday 23:30 in New York is already Monday in UTC: the user's week is the earlier one.
    expect(periodKey('WEEKLY', new Date('2025-03-03T04:30:00Z'), 'America/New_York')).toBe('2025-W09');
    expect(periodKey('WEEKLY', new Date('2025-03-03T04:30:00Z'))).toBe('2025-W10');
    expect(periodKey('DAILY', new Date('2025-03-03T04:30:00Z'), 'America/New_York')).toBe('2025-03-02');
  });
});
