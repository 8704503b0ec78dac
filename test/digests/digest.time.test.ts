import { describe, expect, it } from 'vitest';
import { isDigestTime, isoWeek, localTime, periodKey } from '../../src/digests/digest.time.js';
import { isValidTimeZone } from '../../src/platform/time-zone.js';

describe('digest time arithmetic', () => {
  it('reads the local clock across a DST change', () => {
    // New York: EDT (UTC−4) until 2025-11-02 06:00Z, then EST (UTC−5).
    expect(localTime(new Date('2025-11-01T13:00:00Z'), 'America/New_York')).toMatchObject({ hour: 9, day: 1, isoWeekday: 6 });
    expect(localTime(new Date('2025-11-03T14:00:00Z'), 'America/New_York')).toMatchObject({ hour: 9, day: 3, isoWeekday: 1 });
    expect(isDigestTime('DAILY', new Date('2025-11-01T13:00:00Z'), 'America/New_York')).toBe(true);
    expect(isDigestTime('DAILY', new Date('2025-11-03T13:00:00Z'), 'America/New_York')).toBe(false);
    expect(isDigestTime('DAILY', new Date('2025-11-03T14:00:00Z'), 'America/New_York')).toBe(true);
    // Half-hour zones get their 09:00 at :30 UTC.
    expect(isDigestTime('DAILY', new Date('2025-11-03T03:30:00Z'), 'Asia/Kolkata')).toBe(true);
    expect(isDigestTime('DAILY', new Date('2025-11-03T03:15:00Z'), 'Asia/Kolkata')).toBe(false);
  });

  it('sends weekly digests on local Mondays only', () => {
    expect(isDigestTime('WEEKLY', new Date('2025-10-20T09:00:00Z'))).toBe(true); // Monday
    expect(isDigestTime('WEEKLY', new Date('2025-10-21T09:00:00Z'))).toBe(false);
    // Monday 09:00 in Tokyo (UTC+9) is Monday 00:00 UTC; Sunday 09:00 there is not a weekly time.
    expect(isDigestTime('WEEKLY', new Date('2025-10-20T00:00:00Z'), 'Asia/Tokyo')).toBe(true);
    expect(isDigestTime('WEEKLY', new Date('2025-10-19T00:00:00Z'), 'Asia/Tokyo')).toBe(false);
    // Monday 09:00 in Los Angeles (PDT, UTC−7) is Monday 16:00 UTC.
    expect(isDigestTime('WEEKLY', new Date('2025-10-20T16:00:00Z'), 'America/Los_Angeles')).toBe(true);
  });

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
