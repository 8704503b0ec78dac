import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptsToCover } from '../../src/platform/queue/queues.js';
import { classifyAddress, deferralMs, hostOf, isSuccess, signatureHeader, urlProblem } from '../../src/webhooks/webhooks.rules.js';

// The pure rules of outbound webhooks, without the app: the SSRF guard's address classes, URL
// shapes, the signature, the attempts that cover the retry window.

describe('classifyAddress', () => {
  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['100.64.0.1', 'cgnat'], ['100.127.255.255', 'cgnat'],
    ['192.0.0.8', 'reserved'], ['198.18.0.1', 'reserved'], ['198.19.255.255', 'reserved'], ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'], ['::', 'unspecified'], ['::2', 'unspecified'], ['0:0:0:0:0:0:0:1', 'loopback'], ['FE80::1', 'link-local'],
    ['fc00::1', 'private'], ['fd12:3456:789a::1', 'private'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'],
    ['fec0::1', 'private'], ['ff02::1', 'multicast'], ['2001:db8::1', 'reserved'],
    // IPv4 inside IPv6: judged as the IPv4 address.
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:10.1.2.3', 'private'], ['::ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'loopback'], ['::8.8.8.8', 'reserved'], ['64:ff9b::10.0.0.1', 'private'], ['64:ff9b::a9fe:a9fe', 'link-local'], ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    // Not addresses at all.
    ['localhost', 'invalid'], ['[::1]', 'invalid'], ['1.2.3', 'invalid'], ['256.1.1.1', 'invalid'], ['1.2.3.4.5', 'invalid'], ['::ffff:1.2.3.256', 'invalid'], ['1::2::3', 'invalid'], ['', 'invalid'],
  ];
  it.each(refused)('refuses %s (%s)', (ip, why) => {
    expect(classifyAddress(ip)).toBe(why);
  });

  const allowed = [
    '8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '192.167.1.1', '192.169.0.1', '100.63.255.255', '100.128.0.1',
    '169.253.255.255', '169.255.0.1', '198.17.255.255', '198.20.0.1', '223.255.255.255', '11.0.0.1', '9.255.255.255', '126.255.255.255', '128.0.0.1',
    '192.0.1.1', '1.168.0.1', '1.254.0.1', '1.64.0.1', '1.18.0.1', '1.0.0.1', '2606:4700:4700::1111', '2003:db8::1',
    '65:ff9b::a00:1', '64:ff9c::a00:1', '64:ff9b:2::a00:1', '64:ff9b:0:1::a00:1', '64:ff9b:0:0:1:0:a00:1', '64:ff9b::1:a00:1', '1:2:3:4:5:6:7:8', '2001:4860:4860::8888', '2a00:1450:4001::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', 'fbff::1', 'fe7f::1',
  ];
  it.each(allowed)('allows the public address %s', (ip) => {
    expect(classifyAddress(ip)).toBeNull();
  });
});

describe('urlProblem', () => {
  it('allows http and https URLs with a host', () => {
    expect(urlProblem('https://hooks.example.com/herald')).toBeNull();
    expect(urlProblem('http://203.0.113.7:8080/x?y=1')).toBeNull();
    expect(urlProblem('http://[2606:4700::1]/x')).toBeNull();
  });
  it('refuses other schemes, credentials and what is not a URL', () => {
    expect(urlProblem('ftp://example.com/x')).toMatch(/only http and https/);
    expect(urlProblem('file:///etc/passwd')).toMatch(/only http and https/);
    expect(urlProblem('gopher://example.com')).toMatch(/only http and https/);
    expect(urlProblem('javascript:alert(1)')).toMatch(/only http and https/);
    expect(urlProblem('https://user:pw@example.com/')).toMatch(/credentials/);
    expect(urlProblem('https://user@example.com/')).toMatch(/credentials/);
    expect(urlProblem('not a url')).toBe('not a URL');
    expect(urlProblem('')).toBe('not a URL');
  });
  it('hostOf strips IPv6 brackets', () => {
    expect(hostOf(new URL('http://[::1]:8080/'))).toBe('::1');
    expect(hostOf(new URL('http://Example.COM/'))).toBe('example.com');
  });
});

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const body = '{"id":"x","type":"webhook.test"}';
    const expected = createHmac('sha256', 'whsec_k').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('whsec_k', 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
    expect(signatureHeader('whsec_k', 1700000001, body)).not.toBe(signatureHeader('whsec_k', 1700000000, body));
    expect(signatureHeader('whsec_other', 1700000000, body)).not.toBe(signatureHeader('whsec_k', 1700000000, body));
  });
});

describe('isSuccess', () => {
  it('only 2xx; a redirect is a failure', () => {
    expect([200, 201, 204, 299].map(isSuccess)).toEqual([true, true, true, true]);
    expect([100, 199, 300, 301, 302, 307, 308, 400, 404, 500, 503].map(isSuccess).some(Boolean)).toBe(false);
  });
});

describe('attemptsToCover', () => {
  it('the smallest number of attempts whose average backoff waits span the window', () => {
    // 1 s doubling for a day: 0.75 * (2^17 - 1) s = 27.3 h >= 24 h, 0.75 * (2^16 - 1) s = 13.7 h < 24 h.
    expect(attemptsToCover(1_000, 86_400_000)).toBe(18);
    expect(attemptsToCover(1_000, 1)).toBe(2);
    expect(attemptsToCover(1_000, 750)).toBe(2);
    expect(attemptsToCover(1_000, 751)).toBe(3);
    expect(attemptsToCover(60_000, 86_400_000)).toBe(12);
    expect(attemptsToCover(10, 86_400_000)).toBe(25);
  });
});

describe('deferralMs', () => {
  it('an eighth of the older delivery\'s age, at least the backoff, at most 15 minutes', () => {
    expect(deferralMs(1_000, 0)).toBe(1_000);
    expect(deferralMs(1_000, 7_999)).toBe(1_000);
    expect(deferralMs(1_000, 8_008)).toBe(1_001);
    expect(deferralMs(1_000, 120_000)).toBe(15_000);
    expect(deferralMs(1_000, 2 * 3_600_000)).toBe(900_000);
    expect(deferralMs(1_000, 100 * 3_600_000)).toBe(900_000);
    expect(deferralMs(50, 1_000)).toBe(125);
  });
});
