/**
 * The snooze menu's three instants, in the browser's own time zone: in an hour, tomorrow at 09:00
 * and Monday of next week at 09:00. Built from local calendar fields (not by adding 24 h), so a
 * daylight-saving change in between still lands on 09:00 on the clock.
 */
export interface SnoozeChoice {
  readonly id: 'hour' | 'tomorrow' | 'next-week';
  readonly label: string;
  readonly until: Date;
}

const HOUR_MS = 3_600_000;

const at9 = (now: Date, daysAhead: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysAhead, 9, 0, 0, 0);

/** Days from `now` to the next Monday, 1..7 (a Monday goes to the one after). */
export const daysToNextMonday = (now: Date): number => (8 - now.getDay()) % 7 || 7;

export function snoozeChoices(now: Date = new Date()): SnoozeChoice[] {
  return [
    { id: 'hour', label: 'In 1 hour', until: new Date(now.getTime() + HOUR_MS) },
    { id: 'tomorrow', label: 'Tomorrow morning', until: at9(now, 1) },
    { id: 'next-week', label: 'Next week', until: at9(now, daysToNextMonday(now)) },
  ];
}

/** "Mon 09:00" (within a week), or the date too when further. */
export function formatWhen(until: Date, now: Date = new Date(), locale?: string): string {
  const soon = until.getTime() - now.getTime() < 6 * 24 * HOUR_MS;
  return until.toLocaleString(locale, soon ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
