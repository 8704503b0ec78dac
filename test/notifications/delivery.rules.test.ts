import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_PREFERENCES, decideEmail, preferencesOf, wantsEmail, type DeliveryPreferences } from '../../src/notifications/delivery.rules.js';
import { DIGEST_FREQUENCIES, NOTIFICATION_TYPES } from '../../src/platform/db/schema.js';

// The rules alone, without the app: delivery.test.ts proves the delivery job applies them (a few
// cases end to end); the whole matrix is the rules' business.

describe('who gets an email (JOBS.md §1.2)', () => {
  it('follows the full matrix: 4 frequencies × email on/off × type enabled/disabled × critical', () => {
    const cases = [];
    for (const digestFrequency of DIGEST_FREQUENCIES) {
      for (const emailEnabled of [true, false]) {
        for (const typeEnabled of [true, false]) {
          for (const critical of [false, true]) {
            const prefs: DeliveryPreferences = { digestFrequency, emailEnabled, enabledTypes: typeEnabled ? [...NOTIFICATION_TYPES] : NOTIFICATION_TYPES.filter((x) => x !== 'PAYOUT') };
            const expected = critical || (emailEnabled && digestFrequency === 'IMMEDIATE' && typeEnabled);
            cases.push({ digestFrequency, emailEnabled, typeEnabled, critical, expected, emailed: decideEmail(prefs, 'PAYOUT', critical).email });
          }
        }
      }
    }
    expect(cases).toHaveLength(32);
    expect(cases.filter((c) => c.emailed !== c.expected)).toEqual([]);
    // The rules' own answers, written out: every critical case is emailed, and among the rest
    // only IMMEDIATE + email on + type enabled.
    expect(cases.filter((c) => c.critical && !c.emailed)).toEqual([]);
    expect(cases.filter((c) => !c.critical && c.emailed).map(({ digestFrequency, emailEnabled, typeEnabled }) => ({ digestFrequency, emailEnabled, typeEnabled })))
      .toEqual([{ digestFrequency: 'IMMEDIATE', emailEnabled: true, typeEnabled: true }]);
  });

  it('says why a notification is not emailed, and why one is', () => {
    const prefs = (p: Partial<DeliveryPreferences>) => ({ ...DEFAULT_DELIVERY_PREFERENCES, ...p });
    expect(decideEmail(prefs({ emailEnabled: false }), 'PAYOUT', true)).toEqual({ email: true, reason: 'critical' });
    expect(decideEmail(prefs({}), 'PAYOUT', false)).toEqual({ email: true, reason: 'immediate' });
    expect(decideEmail(prefs({ emailEnabled: false }), 'PAYOUT', false)).toEqual({ email: false, reason: 'email-disabled' });
    expect(decideEmail(prefs({ digestFrequency: 'NEVER' }), 'PAYOUT', false)).toEqual({ email: false, reason: 'never' });
    expect(decideEmail(prefs({ digestFrequency: 'WEEKLY' }), 'PAYOUT', false)).toEqual({ email: false, reason: 'digest' });
    expect(decideEmail(prefs({ enabledTypes: ['LICENSE'] }), 'PAYOUT', false)).toEqual({ email: false, reason: 'type-disabled' });
  });

  it('treats a user without saved preferences as IMMEDIATE with every type enabled', () => {
    const prefs = preferencesOf({ email_enabled: null, digest_frequency: null, enabled_types: null });
    expect(prefs).toEqual({ emailEnabled: true, digestFrequency: 'IMMEDIATE', enabledTypes: NOTIFICATION_TYPES });
    for (const type of NOTIFICATION_TYPES) expect(decideEmail(prefs, type, false).email).toBe(true);
  });

  it('reads saved preferences from their columns', () => {
    expect(preferencesOf({ email_enabled: false, digest_frequency: 'WEEKLY', enabled_types: ['LICENSE'] }))
      .toEqual({ emailEnabled: false, digestFrequency: 'WEEKLY', enabledTypes: ['LICENSE'] });
  });
});

describe('the delivery job\'s decision against digests (issue 16)', () => {
  const row = (p: Partial<{ critical: boolean; xid: string; claim_open: boolean }> = {}) => ({ type: 'PAYOUT' as const, critical: false, xid: '100', claim_open: false, ...p });
  const immediate = DEFAULT_DELIVERY_PREFERENCES;
  const daily: DeliveryPreferences = { ...immediate, digestFrequency: 'DAILY' };

  it('does not email a row below the user\'s digest cursor: a digest has it', () => {
    expect(wantsEmail(row({ xid: '100' }), immediate, null)).toBe(true);
    expect(wantsEmail(row({ xid: '100' }), immediate, '100')).toBe(true);
    expect(wantsEmail(row({ xid: '99' }), immediate, '100')).toBe(false);
    expect(wantsEmail(row({ xid: '99', critical: true }), daily, '100')).toBe(true); // critical rows are never in a digest
  });

  it('still emails a row whose own email is reserved or claimed, whatever digest frequency the user moved to', () => {
    expect(wantsEmail(row({ claim_open: true, xid: '1' }), daily, '100')).toBe(true);
    expect(wantsEmail(row({ claim_open: true }), { ...daily, digestFrequency: 'WEEKLY' }, '100')).toBe(true);
    // …unless email is now off, NEVER, or the type disabled.
    expect(wantsEmail(row({ claim_open: true }), { ...daily, emailEnabled: false }, null)).toBe(false);
    expect(wantsEmail(row({ claim_open: true }), { ...immediate, digestFrequency: 'NEVER' }, null)).toBe(false);
    expect(wantsEmail(row({ claim_open: true }), { ...daily, enabledTypes: ['LICENSE'] }, null)).toBe(false);
  });

  it('leaves a DAILY/WEEKLY user\'s row without a claim to the digest', () => {
    expect(wantsEmail(row(), daily, null)).toBe(false);
  });
});
