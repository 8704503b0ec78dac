/**
 * Whether the platform's time zone database knows `tz` (an IANA name such as Europe/Paris).
 * Generic: preferences validate a user's zone with it, digests compute local clocks in it.
 */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
