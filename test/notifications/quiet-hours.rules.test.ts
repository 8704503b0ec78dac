import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_PREFERENCES, heldUntil, stillUnattended, type QuietCandidate } from '../../src/notifications/delivery.rules.js';
import { NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';

/** App-free: which emails quiet hours hold, and which held ones still go (issue 17; run by npm run test:mutation too). */

const row = (extra: Partial<QuietCandidate> = {}): QuietCandidate => ({
  type: 'PAYOUT', priority: 'MEDIUM', critical: false, claim_open: false, timezone: 'Europe/Paris', quiet_start: '22:00:00', quiet_end: '07:00:00', ...extra,
});
const INSIDE = Date.parse('2027-01-15T23:30:00Z'); // 00:30 in Paris
const OUTSIDE = Date.parse('2027-01-15T11:00:00Z'); // noon in Paris
const END = '2027-01-16T06:00:00.000Z'; // 07:00 in Paris

describe('heldUntil', () => {
  it('holds an IMMEDIATE email of a non-URGENT notification inside quiet hours until they end', () => {
    for (const priority of ['LOW', 'MEDIUM', 'HIGH'] as const) {
      expect({ priority, until: heldUntil(row({ priority }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)?.toISOString() }).toEqual({ priority, until: END });
    }
  });

  it('reads the window in the user\'s zone, UTC when unset', () => {
    expect(heldUntil(row({ timezone: null }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)?.toISOString()).toBe('2027-01-16T07:00:00.000Z');
    expect(heldUntil(row({ timezone: null }), DEFAULT_DELIVERY_PREFERENCES, Date.parse('2027-01-15T21:30:00Z'))).toBeNull(); // 22:30 Paris, 21:30 UTC
    expect(heldUntil(row({ timezone: 'America/New_York' }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull(); // 18:30 there
  });

  it('sends now outside quiet hours, or without any', () => {
    expect(heldUntil(row(), DEFAULT_DELIVERY_PREFERENCES, OUTSIDE)).toBeNull();
    expect(heldUntil(row({ quiet_start: null, quiet_end: null }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
    expect(heldUntil(row({ quiet_end: null }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
    expect(heldUntil(row({ quiet_start: null }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
  });

  it('never holds URGENT, critical, or an email already reserved or claimed', () => {
    expect(heldUntil(row({ priority: 'URGENT' }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
    expect(heldUntil(row({ critical: true }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
    expect(heldUntil(row({ claim_open: true }), DEFAULT_DELIVERY_PREFERENCES, INSIDE)).toBeNull();
  });

  it('holds only what the rules email at once (reason immediate)', () => {
    const off = { ...DEFAULT_DELIVERY_PREFERENCES, emailEnabled: false };
    const daily = { ...DEFAULT_DELIVERY_PREFERENCES, digestFrequency: 'DAILY' as const };
    const typeOff = { ...DEFAULT_DELIVERY_PREFERENCES, enabledTypes: NOTIFICATION_TYPES.filter((x) => x !== 'PAYOUT') };
    for (const prefs of [off, daily, typeOff]) expect(heldUntil(row(), prefs, INSIDE)).toBeNull();
    expect(heldUntil(row({ type: 'LICENSE' }), typeOff, INSIDE)?.toISOString()).toBe(END);
  });
});

describe('stillUnattended', () => {
  const NOW = Date.parse('2027-01-16T06:00:00Z');
  const n = (extra: Partial<{ read: boolean; archived_at: Date | null; snoozed_until: Date | null; expires_at: Date | null }> = {}) =>
    ({ read: false, archived_at: null, snoozed_until: null, expires_at: null, ...extra });

  it('sends a held email whose notification is unread, not archived, not snoozed and not expired', () => {
    expect(stillUnattended(n(), NOW)).toBe(true);
    expect(stillUnattended(n({ expires_at: new Date(NOW + 1) }), NOW)).toBe(true);
    // A snooze already over: it is back in the inbox.
    expect(stillUnattended(n({ snoozed_until: new Date(NOW) }), NOW)).toBe(true);
    expect(stillUnattended(n({ snoozed_until: new Date(NOW - 1) }), NOW)).toBe(true);
  });

  it('not one read, archived, snoozed to later or expired meanwhile', () => {
    expect(stillUnattended(n({ read: true }), NOW)).toBe(false);
    expect(stillUnattended(n({ archived_at: new Date(NOW - 1_000) }), NOW)).toBe(false);
    expect(stillUnattended(n({ snoozed_until: new Date(NOW + 1) }), NOW)).toBe(false);
    expect(stillUnattended(n({ expires_at: new Date(NOW) }), NOW)).toBe(false);
    expect(stillUnattended(n({ expires_at: new Date(NOW - 1) }), NOW)).toBe(false);
  });
});
