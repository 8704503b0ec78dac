import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Pure rules of outbound webhooks: the Stripe-style signature and the SSRF guard's address
 * classification. No I/O: unit-tested without the app (test/webhooks/webhooks.rules.test.ts).
 */

/** `X-Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** Why an address may not be a webhook target, or null when it is a public unicast address. */
export type AddressRefusal = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'cgnat' | 'invalid';

// The addresses below were validated by node:net's isIP before they get here: no checks again.
const ipv4Octets = (ip: string): number[] => ip.split('.').map(Number);

/** IPv4 rules (RFC 6890's special-purpose blocks that must not be reached from a server). */
function classifyV4(ip: string): AddressRefusal | null {
  const o = ipv4Octets(ip);
  const [a, b] = o as [number, number, number, number];
  if (a === 0) return 'unspecified'; // 0.0.0.0/8: "this network", reaches the host itself on Linux
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local'; // 169.254.169.254 is the cloud metadata service
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  if (a === 192 && b === 0 && o[2] === 0) return 'reserved'; // 192.0.0.0/24 IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return 'reserved'; // benchmarking
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // 240/4 and the broadcast address
  return null;
}

/** The 8 hextets of a valid IPv6 address (zone id dropped; a trailing dotted quad is two hextets). */
function hextets(ip: string): number[] {
  let text = ip.split('%')[0]!.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [, a, b, c, d] = quad.map(Number) as [number, number, number, number, number];
    text = text.slice(0, -quad[0].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::').map((s) => (s === '' ? [] : s.split(':').map((x) => parseInt(x, 16))));
  if (tail === undefined) return head!;
  return [...head!, ...Array<number>(8 - head!.length - tail.length).fill(0), ...tail];
}

function classifyV6(ip: string): AddressRefusal | null {
  const h = hextets(ip);
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h as [number, number, number, number, number, number, number, number];
  const zeroTo = (n: number) => h.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && h7 === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judged as the IPv4 address they carry.
  const v4 = `${h6 >> 8}.${h6 & 255}.${h7 >> 8}.${h7 & 255}`;
  if (zeroTo(5) && h5 === 0xffff) return classifyV4(v4);
  // :: itself is 0.0.0.0 here: unspecified.
  if (zeroTo(6)) return classifyV4(v4) ?? 'reserved';
  // NAT64 (64:ff9b::/96) reaches IPv4 through a translator: the embedded address decides. So does
  // SIIT's IPv4-translated form (::ffff:0:a.b.c.d, RFC 2765).
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0) return classifyV4(v4);
  if (zeroTo(4) && h4 === 0xffff && h5 === 0) return classifyV4(v4);
  // The local-use NAT64 prefix (64:ff9b:1::/48, RFC 8215) reaches the site's own IPv4 networks.
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 1) return 'reserved';
  if ((h0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((h0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((h0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 deprecated site-local
  if ((h0 & 0xff00) === 0xff00) return 'multicast';
  if (h0 === 0x2001 && h1 === 0xdb8) return 'reserved'; // documentation
  if (h0 === 0x2002) return classifyV4(`${h1 >> 8}.${h1 & 255}.${h2 >> 8}.${h2 & 255}`); // 6to4 carries an IPv4 address
  return null;
}

/** Null when `ip` (a literal IPv4 or IPv6 address) is a public unicast address a webhook may reach. */
export function classifyAddress(ip: string): AddressRefusal | null {
  const family = isIP(ip.split('%')[0]!);
  return family === 4 ? classifyV4(ip) : family === 6 ? classifyV6(ip) : 'invalid';
}

/** A webhook URL, checked for shape: http(s), a host, no credentials. Returns the reason it is refused, or null. */
export function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs are allowed';
  if (url.username || url.password) return 'credentials in the URL are not allowed (use the signing secret)';
  return null;
}

/** The host of a URL as DNS or an address check takes it (IPv6 brackets removed). */
export const hostOf = (url: URL) => (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname);

/** Whether a 2xx answer: anything else (3xx redirects included, never followed) is a failed attempt. */
export const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * How long a delivery waits behind an older pending one before looking again: the older one's
 * retries are spaced like its age (exponential backoff), so an eighth of that age, at least
 * JOB_BACKOFF_MS and at most 15 minutes. A waiting delivery then looks about a hundred times in a
 * day, not once a second (a dead receiver with thousands of notifications waiting costs little),
 * and follows its older one by at most an eighth of that one's age once it is delivered.
 */
export function deferralMs(backoffMs: number, olderAgeMs: number): number {
  return Math.min(900_000, Math.max(backoffMs, Math.floor(olderAgeMs / 8)));
}
