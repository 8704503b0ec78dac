import { describe, expect, it } from 'vitest';
import { daysToNextMonday, snoozeChoices } from '../../web/inbox/snooze.js';

/**
 * The inbox's snooze menu, app-free: its instants follow the local calendar (set here to Paris, a
 * zone with daylight saving), so "tomorrow 09:00" is 09:00 on the clock across a change.
 */
process.env.TZ = 'Europe/Paris'; // this file's own process (the forks pool); Node reads TZ again when it changes

const until = (now: string) => Object.fromEntries(snoozeChoices(new Date(now)).map((c) => [c.id, c.until.toISOString()]));

describe('snoozeChoices', () => {
  it('is an hour ahead, tomorrow at 09:00 and next Monday at 09:00, local time', () => {
    // Tuesday 14:20 CEST.
    expect(until('2026-06-16T12:20:00Z')).toEqual({ hour: '2026-06-16T13:20:00.000Z', tomorrow: '2026-06-17T07:00:00.000Z', 'next-week': '2026-06-22T07:00:00.000Z' });
  });

  it('lands on 09:00 across the spring and autumn clock changes', () => {
    // Saturday 20:00 CET; Sunday 29 March 02:00 becomes 03:00 CEST.
    expect(until('2026-03-28T19:00:00Z')).toEqual({ hour: '2026-03-28T20:00:00.000Z', tomorrow: '2026-03-29T07:00:00.000Z', 'next-week': '2026-03-30T07:00:00.000Z' });
    // Saturday 12:00 CEST; Sunday 25 October 03:00 becomes 02:00 CET.
    expect(until('2026-10-24T10:00:00Z')).toMatchObject({ tomorrow: '2026-10-25T08:00:00.000Z', 'next-week': '2026-10-26T08:00:00.000Z' });
  });

  it('takes the local date, not UTC\'s: 00:30 on Wednesday in Paris is still Tuesday in UTC', () => {
    expect(until('2026-06-16T22:30:00Z')).toMatchObject({ tomorrow: '2026-06-18T07:00:00.000Z', 'next-week': '2026-06-22T07:00:00.000Z' });
  });

  it('goes to the Monday of next week: from a Monday a week on, from a Sunday the next day', () => {
    const days = ['2026-06-14', '2026-06-15', '2026-06-16', '2026-06-17', '2026-06-18', '2026-06-19', '2026-06-20'].map((d) => daysToNextMonday(new Date(`${d}T12:00:00Z`)));
    expect(days).toEqual([1, 7, 6, 5, 4, 3, 2]); // Sunday … Saturday
    expect(until('2026-06-15T06:00:00Z')['next-week']).toBe('2026-06-22T07:00:00.000Z'); // Monday 08:00: not an hour later
    expect(until('2026-06-14T21:30:00Z')).toMatchObject({ tomorrow: '2026-06-15T07:00:00.000Z', 'next-week': '2026-06-15T07:00:00.000Z' });
  });
});
