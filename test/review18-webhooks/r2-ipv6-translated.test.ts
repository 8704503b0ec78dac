import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../src/webhooks/webhooks.rules.js';

// Review 18 (R2): IPv6 forms that a translator on the network turns into IPv4 were public to the
// SSRF guard: SIIT's IPv4-translated ::ffff:0:a.b.c.d (RFC 2765) and the local-use NAT64 prefix
// 64:ff9b:1::/48 (RFC 8215), which reaches the site's own IPv4 networks (a NAT64 on the VPC).

describe('classifyAddress', () => {
  it('judges an IPv4-translated address as the IPv4 address it carries', () => {
    expect(classifyAddress('::ffff:0:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:0:a9fe:a9fe')).toBe('link-local');
    expect(classifyAddress('0:0:0:0:ffff:0:10.0.0.1')).toBe('private');
    expect(classifyAddress('::ffff:0:8.8.8.8')).toBeNull();
  });

  it('refuses the local-use NAT64 prefix, and keeps its neighbours public', () => {
    expect(classifyAddress('64:ff9b:1::a00:1')).toBe('reserved');
    expect(classifyAddress('64:ff9b:1:ffff::1')).toBe('reserved');
    expect(classifyAddress('64:ff9b:2::1')).toBeNull();
    expect(classifyAddress('64:ff9a:1::1')).toBeNull();
    expect(classifyAddress('65:ff9b:1::1')).toBeNull();
    expect(classifyAddress('::1:ffff:0:a00:1')).toBeNull();
    expect(classifyAddress('::ffff:1:a00:1')).toBeNull();
  });
});
