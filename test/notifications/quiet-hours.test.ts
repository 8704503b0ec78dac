import { describe, expect, it } from 'vitest';
import { CLOCK_TIME, firstInstantAt, minutesOf, quietHoursAt, wallClock } from '../../src/notifications/quiet-hours.js';

/** App-free: the quiet-hours arithmetic of issue 17, across DST changes (run by npm run test:mutation too). */

const wall = (iso: string) => Date.parse(`${iso}Z`);
const at = (iso: string) => new Date(iso);
const state = (instant: string, tz: string, start: string, end: string) => {
  const s = quietHoursAt(at(instant), tz, { start, end });
  return { inside: s.inside, endsAt: s.endsAt.toISOString() };
};

describe('CLOCK_TIME and minutesOf', () => {
  it('accepts HH:MM from 00:00 to 23:59 only', () => {
    for (const ok of ['00:00', '07:05', '09:59', '19:30', '23:59']) expect({ ok, valid: CLOCK_TIME.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['24:00', '7:00', '12:60', '12:00:00', ' 12:00', '12:00 ', '1200', '12-00', 'ab:cd', '', '30:00']) {
      expect({ bad, valid: CLOCK_TIME.test(bad) }).toEqual({ bad, valid: false });
    }
  });

  it('counts minutes after midnight, of HH:MM and of PostgreSQL\'s HH:MM:SS', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('07:30')).toBe(450);
    expect(minutesOf('23:59')).toBe(1439);
    expect(minutesOf('22:15:00')).toBe(1335);
  });
});

describe('wallClock', () => {
  it('reads the local clock to the second, the same digits as UTC ms', () => {
    expect(wallClock(Date.parse('2027-01-15T21:04:05.678Z'), 'Europe/Paris')).toBe(wall('2027-01-15T22:04:05'));
    expect(wallClock(Date.parse('2027-07-15T21:04:05Z'), 'Europe/Paris')).toBe(wall('2027-07-15T23:04:05'));
    expect(wallClock(Date.parse('2027-01-15T23:30:00Z'), 'Asia/Tokyo')).toBe(wall('2027-01-16T08:30:00'));
    expect(wallClock(Date.parse('2027-01-15T00:00:00Z'), 'UTC')).toBe(wall('2027-01-15T00:00:00'));
  });
});

describe('firstInstantAt: a local time as an instant', () => {
  it('maps a time that exists once through the offset in force', () => {
    expect(new Date(firstInstantAt(wall('2027-01-15T22:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-01-15T21:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-07-15T22:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-07-15T20:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-01-15T22:00:00'), 'America/New_York')).toISOString()).toBe('2027-01-16T03:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-03-28T12:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-03-28T10:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-01-15T10:00:00'), 'UTC')).toISOString()).toBe('2027-01-15T10:00:00.000Z');
  });

  it('maps a skipped time (spring forward) to the jump, the first instant the clock reads it or later', () => {
    // Paris, 28 March 2027: 02:00 CET becomes 03:00 CEST at 01:00Z.
    for (const skipped of ['2027-03-28T02:00:00', '2027-03-28T02:30:00', '2027-03-28T02:59:59']) {
      expect({ skipped, at: new Date(firstInstantAt(wall(skipped), 'Europe/Paris')).toISOString() }).toEqual({ skipped, at: '2027-03-28T01:00:00.000Z' });
    }
    expect(new Date(firstInstantAt(wall('2027-03-28T01:59:59'), 'Europe/Paris')).toISOString()).toBe('2027-03-28T00:59:59.000Z');
    expect(new Date(firstInstantAt(wall('2027-03-28T03:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-03-28T01:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-03-28T03:00:01'), 'Europe/Paris')).toISOString()).toBe('2027-03-28T01:00:01.000Z');
    // New York, 14 March 2027: 02:00 EST becomes 03:00 EDT at 07:00Z.
    expect(new Date(firstInstantAt(wall('2027-03-14T02:30:00'), 'America/New_York')).toISOString()).toBe('2027-03-14T07:00:00.000Z');
    // Lord Howe's half-hour change: 02:00 becomes 02:30 at 15:00Z the day before (UTC).
    expect(new Date(firstInstantAt(wall('2026-10-04T02:15:00'), 'Australia/Lord_Howe')).toISOString()).toBe('2026-10-03T15:30:00.000Z');
  });

  it('finds a jump to the second, and over a whole skipped day', () => {
    // Monrovia, 7 January 1972: the clock went from 23:59:59 (-00:44:30) to 00:44:30 (UTC).
    expect(new Date(firstInstantAt(wall('1972-01-07T00:10:00'), 'Africa/Monrovia')).toISOString()).toBe('1972-01-07T00:44:30.000Z');
    expect(new Date(firstInstantAt(wall('1972-01-06T23:59:59'), 'Africa/Monrovia')).toISOString()).toBe('1972-01-07T00:44:29.000Z');
    // Samoa skipped 30 December 2011: 29 December 23:59:59 (-10) was followed by 31 December 00:00 (+14).
    expect(new Date(firstInstantAt(wall('2011-12-30T12:00:00'), 'Pacific/Apia')).toISOString()).toBe('2011-12-30T10:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2011-12-31T00:00:00'), 'Pacific/Apia')).toISOString()).toBe('2011-12-30T10:00:00.000Z');
  });

  it('maps a time that exists twice (fall back) to its first occurrence', () => {
    // Paris, 31 October 2027: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:00 to 02:59 happen twice.
    expect(new Date(firstInstantAt(wall('2027-10-31T02:30:00'), 'Europe/Paris')).toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-10-31T02:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-10-31T00:00:00.000Z');
    expect(new Date(firstInstantAt(wall('2027-10-31T03:00:00'), 'Europe/Paris')).toISOString()).toBe('2027-10-31T02:00:00.000Z');
    // New York, 7 November 2027: 02:00 EDT becomes 01:00 EST at 06:00Z.
    expect(new Date(firstInstantAt(wall('2027-11-07T01:30:00'), 'America/New_York')).toISOString()).toBe('2027-11-07T05:30:00.000Z');
    // Lord Howe falls back half an hour: 02:00 (+11) becomes 01:30 (+10:30) at 15:00Z.
    expect(new Date(firstInstantAt(wall('2027-04-04T01:45:00'), 'Australia/Lord_Howe')).toISOString()).toBe('2027-04-03T14:45:00.000Z');
  });
});

describe('quietHoursAt: inside, and when they end', () => {
  it('a window within a day: [start, end), and the next end from outside', () => {
    expect(state('2027-01-15T08:59:59.999Z', 'UTC', '09:00', '17:00')).toEqual({ inside: false, endsAt: '2027-01-15T17:00:00.000Z' });
    expect(state('2027-01-15T09:00:00.000Z', 'UTC', '09:00', '17:00')).toEqual({ inside: true, endsAt: '2027-01-15T17:00:00.000Z' });
    expect(state('2027-01-15T16:59:59.999Z', 'UTC', '09:00', '17:00')).toEqual({ inside: true, endsAt: '2027-01-15T17:00:00.000Z' });
    expect(state('2027-01-15T17:00:00.000Z', 'UTC', '09:00', '17:00')).toEqual({ inside: false, endsAt: '2027-01-16T17:00:00.000Z' });
    expect(state('2027-01-15T00:00:00.000Z', 'UTC', '00:00', '00:01')).toEqual({ inside: true, endsAt: '2027-01-15T00:01:00.000Z' });
    expect(state('2027-01-15T23:59:30.000Z', 'UTC', '23:59', '00:00')).toEqual({ inside: true, endsAt: '2027-01-16T00:00:00.000Z' });
  });

  it('a window crossing midnight, in the user\'s zone', () => {
    const paris = (instant: string) => state(instant, 'Europe/Paris', '22:00', '07:00');
    expect(paris('2027-01-15T20:59:59.999Z')).toEqual({ inside: false, endsAt: '2027-01-16T06:00:00.000Z' }); // 21:59:59 local
    expect(paris('2027-01-15T21:00:00.000Z')).toEqual({ inside: true, endsAt: '2027-01-16T06:00:00.000Z' }); // 22:00
    expect(paris('2027-01-15T23:30:00.000Z')).toEqual({ inside: true, endsAt: '2027-01-16T06:00:00.000Z' }); // 00:30 the next day
    expect(paris('2027-01-16T05:59:59.999Z')).toEqual({ inside: true, endsAt: '2027-01-16T06:00:00.000Z' }); // 06:59:59
    expect(paris('2027-01-16T06:00:00.000Z')).toEqual({ inside: false, endsAt: '2027-01-17T06:00:00.000Z' }); // 07:00
    expect(paris('2027-01-16T11:00:00.000Z')).toEqual({ inside: false, endsAt: '2027-01-17T06:00:00.000Z' }); // noon
    // Tokyo's morning is the previous UTC day: the local date decides.
    expect(state('2027-01-15T23:30:00Z', 'Asia/Tokyo', '08:00', '09:00')).toEqual({ inside: true, endsAt: '2027-01-16T00:00:00.000Z' });
    expect(state('2027-01-15T22:30:00Z', 'Asia/Tokyo', '08:00', '09:00')).toEqual({ inside: false, endsAt: '2027-01-16T00:00:00.000Z' });
    expect(state('2027-01-16T02:00:00Z', 'America/Los_Angeles', '17:00', '19:00')).toEqual({ inside: true, endsAt: '2027-01-16T03:00:00.000Z' });
  });

  it('start = end is no window at all', () => {
    expect(state('2027-01-15T09:00:00Z', 'UTC', '09:00', '09:00')).toEqual({ inside: false, endsAt: '2027-01-16T09:00:00.000Z' });
    expect(state('2027-01-15T08:00:00Z', 'UTC', '09:00', '09:00')).toEqual({ inside: false, endsAt: '2027-01-15T09:00:00.000Z' });
    expect(state('2027-01-15T23:00:00Z', 'UTC', '00:00', '00:00')).toEqual({ inside: false, endsAt: '2027-01-16T00:00:00.000Z' });
  });

  describe('Europe/Paris, spring forward (28 March 2027, 02:00 CET → 03:00 CEST at 01:00Z)', () => {
    it('an end in the skipped hour comes at the jump', () => {
      expect(state('2027-03-27T21:00:00Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: true, endsAt: '2027-03-28T01:00:00.000Z' });
      expect(state('2027-03-28T00:30:00Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: true, endsAt: '2027-03-28T01:00:00.000Z' });
      expect(state('2027-03-28T00:59:59Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: true, endsAt: '2027-03-28T01:00:00.000Z' });
      // 03:00 CEST: past 02:30 on the clock; the next end is Monday's 02:30 CEST.
      expect(state('2027-03-28T01:00:00Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: false, endsAt: '2027-03-29T00:30:00.000Z' });
    });

    it('a night across the change is an hour shorter; a start in the skipped hour opens at the jump', () => {
      expect(state('2027-03-28T04:59:00Z', 'Europe/Paris', '22:00', '07:00')).toEqual({ inside: true, endsAt: '2027-03-28T05:00:00.000Z' });
      expect(state('2027-03-28T05:00:00Z', 'Europe/Paris', '22:00', '07:00')).toEqual({ inside: false, endsAt: '2027-03-29T05:00:00.000Z' });
      expect(state('2027-03-28T00:59:59Z', 'Europe/Paris', '02:15', '06:00')).toEqual({ inside: false, endsAt: '2027-03-28T04:00:00.000Z' });
      expect(state('2027-03-28T01:00:00Z', 'Europe/Paris', '02:15', '06:00')).toEqual({ inside: true, endsAt: '2027-03-28T04:00:00.000Z' });
      // A window wholly in the skipped hour does not happen that day.
      expect(state('2027-03-28T01:00:00Z', 'Europe/Paris', '02:10', '02:40')).toEqual({ inside: false, endsAt: '2027-03-29T00:40:00.000Z' });
    });
  });

  describe('Europe/Paris, fall back (31 October 2027, 03:00 CEST → 02:00 CET at 01:00Z)', () => {
    it('an end in the repeated hour is its first occurrence, and the repeat does not reopen the window', () => {
      expect(state('2027-10-31T00:29:59Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: true, endsAt: '2027-10-31T00:30:00.000Z' }); // 02:29:59 CEST
      expect(state('2027-10-31T00:30:00Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: false, endsAt: '2027-11-01T01:30:00.000Z' }); // 02:30 CEST
      expect(state('2027-10-31T01:15:00Z', 'Europe/Paris', '22:00', '02:30')).toEqual({ inside: false, endsAt: '2027-11-01T01:30:00.000Z' }); // 02:15 CET, again
    });

    it('a night across the change is an hour longer; a start in the repeated hour opens at its first occurrence', () => {
      expect(state('2027-10-30T20:00:00Z', 'Europe/Paris', '22:00', '07:00')).toEqual({ inside: true, endsAt: '2027-10-31T06:00:00.000Z' });
      expect(state('2027-10-31T05:59:59Z', 'Europe/Paris', '22:00', '07:00')).toEqual({ inside: true, endsAt: '2027-10-31T06:00:00.000Z' });
      expect(state('2027-10-31T00:14:59Z', 'Europe/Paris', '02:15', '06:00')).toEqual({ inside: false, endsAt: '2027-10-31T05:00:00.000Z' });
      expect(state('2027-10-31T00:15:00Z', 'Europe/Paris', '02:15', '06:00')).toEqual({ inside: true, endsAt: '2027-10-31T05:00:00.000Z' });
    });
  });

  describe('America/New_York', () => {
    it('spring forward (14 March 2027, 02:00 EST → 03:00 EDT at 07:00Z): an end at 02:30 comes at 03:00 EDT', () => {
      expect(state('2027-03-14T06:30:00Z', 'America/New_York', '23:00', '02:30')).toEqual({ inside: true, endsAt: '2027-03-14T07:00:00.000Z' });
      expect(state('2027-03-14T07:00:00Z', 'America/New_York', '23:00', '02:30')).toEqual({ inside: false, endsAt: '2027-03-15T06:30:00.000Z' });
      expect(state('2027-03-14T10:59:00Z', 'America/New_York', '22:00', '07:00')).toEqual({ inside: true, endsAt: '2027-03-14T11:00:00.000Z' });
    });

    it('fall back (7 November 2027, 02:00 EDT → 01:00 EST at 06:00Z): an end at 01:30 is 01:30 EDT', () => {
      expect(state('2027-11-07T05:00:00Z', 'America/New_York', '22:00', '01:30')).toEqual({ inside: true, endsAt: '2027-11-07T05:30:00.000Z' });
      expect(state('2027-11-07T05:30:00Z', 'America/New_York', '22:00', '01:30')).toEqual({ inside: false, endsAt: '2027-11-08T06:30:00.000Z' });
      expect(state('2027-11-07T06:10:00Z', 'America/New_York', '22:00', '01:30')).toEqual({ inside: false, endsAt: '2027-11-08T06:30:00.000Z' }); // 01:10 EST, again
      expect(state('2027-11-07T11:59:00Z', 'America/New_York', '22:00', '07:00')).toEqual({ inside: true, endsAt: '2027-11-07T12:00:00.000Z' });
    });
  });
});
