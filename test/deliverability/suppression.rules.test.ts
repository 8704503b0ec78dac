import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/deliverability/suppression.rules.js';

describe('normalizeAddress', () => {
  it('lower-cases and trims, and changes nothing else', () => {
    expect(normalizeAddress('  Ada.Lovelace+Tag@Example.COM\t')).toBe('ada.lovelace+tag@example.com');
    expect(normalizeAddress('already@lower.case')).toBe('already@lower.case');
    expect(normalizeAddress('"Quoted Local"@x.test')).toBe('"quoted local"@x.test');
  });
});
