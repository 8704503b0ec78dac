import { describe, expect, it } from 'vitest';
import { forecast, routeOfGroup, settle, type AudienceGroup, type RecallRecord } from '../../src/notifications/broadcasts.rules.js';
import { DEFAULT_DELIVERY_PREFERENCES, emailRoute, type DeliveryPreferences } from '../../src/notifications/delivery.rules.js';

// Issue 19, the pure part of safe broadcasts: a preview's forecast is the delivery's own rules
// applied once per group of alike recipients; a recall's waited emails are counted once each.

// 2025-01-15 03:00 UTC: inside quiet hours 22:00-07:00 in UTC, outside them in Tokyo (12:00 there).
const AT_3_UTC = Date.UTC(2025, 0, 15, 3, 0);
const NOON_UTC = Date.UTC(2025, 0, 15, 12, 0);
const content = { type: 'SYSTEM', priority: 'MEDIUM', critical: false } as const;
const group = (extra: Partial<AudienceGroup> = {}): AudienceGroup => ({
  email_enabled: null, digest_frequency: null, type_enabled: null, suppressed: false, timezone: null, quiet_start: null, quiet_end: null, users: 1, ...extra,
});
const saved = (extra: Partial<AudienceGroup> = {}) => group({ email_enabled: true, digest_frequency: 'IMMEDIATE', type_enabled: true, ...extra });
const quiet = { quiet_start: '22:00:00', quiet_end: '07:00:00' } as const;

describe('emailRoute (delivery.rules.ts)', () => {
  const prefs = (p: Partial<DeliveryPreferences> = {}) => ({ ...DEFAULT_DELIVERY_PREFERENCES, ...p });
  const row = (extra: Partial<Parameters<typeof emailRoute>[0]> = {}) => ({ ...content, suppressed: false, timezone: null, quiet_start: null, quiet_end: null, ...extra });

  it('says now, held, digest or none by the delivery rules', () => {
    expect(emailRoute(row(), prefs(), NOON_UTC)).toBe('now');
    expect(emailRoute(row(quiet), prefs(), AT_3_UTC)).toBe('held');
    expect(emailRoute(row(quiet), prefs(), NOON_UTC)).toBe('now');
    expect(emailRoute(row({ ...quiet, priority: 'URGENT' }), prefs(), AT_3_UTC)).toBe('now');
    expect(emailRoute(row({ ...quiet, critical: true }), prefs({ emailEnabled: false }), AT_3_UTC)).toBe('now');
    expect(emailRoute(row(), prefs({ digestFrequency: 'DAILY' }), NOON_UTC)).toBe('digest');
    expect(emailRoute(row(), prefs({ digestFrequency: 'WEEKLY' }), NOON_UTC)).toBe('digest');
    expect(emailRoute(row(quiet), prefs({ digestFrequency: 'DAILY' }), AT_3_UTC)).toBe('digest');
  });

  it('says none for email off, NEVER, a disabled type (also on a digest: digests list enabled types only), a suppressed address', () => {
    expect(emailRoute(row(), prefs({ emailEnabled: false }), NOON_UTC)).toBe('none');
    expect(emailRoute(row(), prefs({ emailEnabled: false, digestFrequency: 'DAILY' }), NOON_UTC)).toBe('none');
    expect(emailRoute(row(), prefs({ digestFrequency: 'NEVER' }), NOON_UTC)).toBe('none');
    expect(emailRoute(row(), prefs({ enabledTypes: ['PAYOUT'] }), NOON_UTC)).toBe('none');
    expect(emailRoute(row(), prefs({ enabledTypes: ['PAYOUT'], digestFrequency: 'DAILY' }), NOON_UTC)).toBe('none');
    expect(emailRoute(row({ suppressed: true }), prefs(), NOON_UTC)).toBe('none');
    expect(emailRoute(row({ suppressed: true, critical: true }), prefs(), NOON_UTC)).toBe('none');
    expect(emailRoute(row({ suppressed: true }), prefs({ digestFrequency: 'DAILY' }), NOON_UTC)).toBe('none');
    expect(emailRoute(row({ ...quiet, suppressed: true }), prefs(), AT_3_UTC)).toBe('none');
  });
});

describe('forecast', () => {
  it('reads a user without saved preferences as the delivery does: IMMEDIATE, every type, email on', () => {
    expect(routeOfGroup(group(), content, NOON_UTC)).toBe('now');
    // type_enabled is null without a row: the defaults enable every type regardless.
    expect(routeOfGroup(group({ type_enabled: null }), { ...content, type: 'PAYOUT' }, NOON_UTC)).toBe('now');
  });

  it('uses the saved columns and the group\'s own zone for quiet hours', () => {
    expect(routeOfGroup(saved({ type_enabled: false }), content, NOON_UTC)).toBe('none');
    expect(routeOfGroup(saved({ digest_frequency: 'DAILY' }), content, NOON_UTC)).toBe('digest');
    expect(routeOfGroup(saved({ email_enabled: false }), content, NOON_UTC)).toBe('none');
    expect(routeOfGroup(saved(quiet), content, AT_3_UTC)).toBe('held');
    // 03:00 UTC is 12:00 in Tokyo: outside its quiet hours.
    expect(routeOfGroup(saved({ ...quiet, timezone: 'Asia/Tokyo' }), content, AT_3_UTC)).toBe('now');
    // 12:00 UTC is 21:00 in Tokyo, 22:00 is not yet: now; at 13:30 UTC (22:30 there) held.
    expect(routeOfGroup(saved({ ...quiet, timezone: 'Asia/Tokyo' }), content, Date.UTC(2025, 0, 15, 13, 30))).toBe('held');
    expect(routeOfGroup(group({ suppressed: true }), content, NOON_UTC)).toBe('none');
  });

  it('adds up each group\'s users under its route, every user once', () => {
    const groups = [
      group({ users: 5 }), saved({ users: 3, ...quiet }), saved({ users: 7, digest_frequency: 'WEEKLY' }),
      saved({ users: 2, email_enabled: false }), group({ users: 4, suppressed: true }), saved({ users: 1, type_enabled: false }),
    ];
    expect(forecast(groups, content, AT_3_UTC)).toEqual({ now: 5, heldForQuietHours: 3, digest: 7, none: 7 });
    expect(forecast(groups, content, NOON_UTC)).toEqual({ now: 8, heldForQuietHours: 0, digest: 7, none: 7 });
    expect(forecast(groups, { ...content, critical: true }, AT_3_UTC)).toEqual({ now: 18, heldForQuietHours: 0, digest: 0, none: 4 });
    expect(forecast([], content, NOON_UTC)).toEqual({ now: 0, heldForQuietHours: 0, digest: 0, none: 0 });
  });
});

describe('settle', () => {
  const record = (extra: Partial<RecallRecord> = {}): RecallRecord => ({
    hidden: 10, emailsSent: 1, emailsCancelled: 2, emailsFailed: 0, emailsUnconfirmed: 0, digestItemsRemoved: 3, unreached: 4, settled: false,
    waitingOn: ['notification:a', 'notification:b'], ...extra,
  });

  it('counts each waited notification email once, by how it ended, and marks the recall settled', () => {
    const out = settle(record(), [
      { key: 'notification:a', status: 'sent', claimed: false },
      { key: 'notification:b', status: 'captured', claimed: false },
      { key: 'notification:c', status: 'failed', claimed: false },
      { key: 'notification:d', status: 'suppressed', claimed: false },
      { key: 'notification:e', status: 'cancelled', claimed: false },
      // Released after a temporary failure: its retry finds the row recalled.
      { key: 'notification:f', status: 'sending', claimed: false },
      // Still held (the wait ran out) or held by an attempt that died: may have gone out.
      { key: 'notification:g', status: 'sending', claimed: true },
      { key: 'notification:j', status: 'sending', claimed: true },
      // Cancelled is cancelled, whatever token it kept; sent is sent.
      { key: 'notification:h', status: 'cancelled', claimed: true },
      { key: 'notification:i', status: 'sent', claimed: true },
    ]);
    expect(out).toEqual({
      hidden: 10, emailsSent: 4, emailsCancelled: 5, emailsFailed: 2, emailsUnconfirmed: 2, digestItemsRemoved: 3, unreached: 4, settled: true, waitingOn: [],
    });
  });

  it('waits for digests but counts none of them (they are not the batch\'s emails)', () => {
    expect(settle(record({ waitingOn: ['digest:u:2025-01-15'] }), [{ key: 'digest:u:2025-01-15', status: 'sent', claimed: false }]))
      .toEqual({ ...record(), settled: true, waitingOn: [] });
  });
});
