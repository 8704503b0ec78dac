import { describe, expect, it } from 'vitest';
import { isoWeek, localTime, periodKey } from '../../src/digests/digest.time.js';
import { isValidTimeZone } from '../../src/platform/time-zone.js';

describe('digest time arithmetic', () => {
  it('reads the local clock across a DST change', () => {
    // New York: EDT (UTC−4) until 2025-11-02 06:00Z, then EST (UTC−5).
    expect(localTime(new Date('2025-11-01T13:00:00Z'), 'America/New_York')).toMatchObject({ hour: 9, day: 1, isoWeekday: 6 });
    expect(localTime(new Date('2025-11-03T14:00:00Z'), 'America/New_York')).toMatchObject({ hour: 9, day: 3, isoWeekday: 1 });
    expect(localTime(new Date('2025-11-03T13:00:00Z'), 'America/New_York')).toMatchObject({ hour: 8, day: 3 });
    // Half-hour and quarter-hour zones: the minutes of the offset count.
    expect(localTime(new Date('2025-11-03T03:30:00Z'), 'Asia/Kolkata')).toMatchObject({ hour: 9, minute: 0 });
    expect(localTime(new Date('2025-11-03T03:15:00Z'), 'Asia/Kathmandu')).toMatchObject({ hour: 9, minute: 0 });
    // Ahead of UTC across the date line: Monday 09:00 in Tokyo is Monday 00:00 UTC.
    expect(localTime(new Date('2025-10-20T00:00:00Z'), 'Asia/Tokyo')).toMatchObject({ hour: 9, day: 20, isoWeekday: 1 });
  });

  // Who is due a digest at an instant (09:00–09:14 local, Monday for weekly) is decided by the SQL of
  // DigestsRepository.recipientsPage; digests.test.ts tests it through real runs ("who a zoned run picks").

  it('keys periods by the user\'s calendar day and ISO week', () => {
    expect(periodKey('DAILY', new Date('2025-10-18T09:00:00Z'))).toBe('2025-10-18');
    expect(periodKey('DAILY', new Date('2025-10-18T23:30:00Z'), 'Asia/Tokyo')).toBe('2025-10-19');
    expect(periodKey('WEEKLY', new Date('2025-10-20T09:00:00Z'))).toBe('2025-W43');
    expect(periodKey('WEEKLY', new Date('2024-12-30T09:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(2021, 1, 3)).toEqual([2020, 53]);
  });

  it('validates IANA zone names', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
