import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/auth/login-throttle.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { trustProxyOption } from '../../src/platform/http/server.js';

// Which address a request counts as, without the app: how TRUST_PROXY reads, and the key the login
// limits count an address by (login-throttling.test.ts shows what both mean for sign-ins).

describe('TRUST_PROXY', () => {
  it('parses false, hop counts (true is one hop) and address lists; refuses anything else, naming TRUST_PROXY', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7,loopback,::1,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback', '::1', 'fd00::/8']);
    for (const bad of ['yes', '10.0.0.0/33', '999.1.1.1', 'anywhere', '21', ',']) expect(() => trust(bad), bad).toThrow(ConfigError);
    expect(() => trust('yes')).toThrow(/TRUST_PROXY/);
    // One hop: the peer is the proxy, the entry it appended is the client; the next one is not trusted.
    const hops = trustProxyOption(1) as (address: string, hop: number) => boolean;
    expect([hops('127.0.0.1', 0), hops('6.6.6.6', 1)]).toEqual([true, false]);
  });
});

describe('the login limits\' address key', () => {
  it('counts an IPv6 client by its /64, an IPv4 one (mapped or not) by itself', () => {
    expect(['2001:db8:1:2::1', '2001:DB8:1:2:ffff:1:2:3', '2001:0db8:0001:0002::', '::ffff:192.0.2.1', '192.0.2.1', '::1', 'fe80::1%eth0'].map(addressKey))
      .toEqual(['2001:db8:1:2::/64', '2001:db8:1:2::/64', '2001:db8:1:2::/64', '192.0.2.1', '192.0.2.1', '0:0:0:0::/64', 'fe80:0:0:0::/64']);
  });
});
