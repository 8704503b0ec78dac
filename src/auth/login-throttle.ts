import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { RateLimitedError } from '../platform/errors.js';
import { rateLimitHeaders, type RateLimiter, type RateLimitResult } from '../platform/http/rate-limit.js';

const WINDOW_SEC = 15 * 60;

/** An admitted password check: `passed` uncounts it (only failed checks count). */
export interface Attempt {
  passed(): Promise<void>;
}

const NOTHING: Attempt = { passed: async () => undefined };

/**
 * The address the limits count: an IPv4 address as it is, an IPv6 one by its /64 (one subscriber's
 * block: a client may rotate through 2^64 addresses of it at will).
 */
export function addressKey(ip: string): string {
  const address = ip.split('%')[0]!.toLowerCase();
  if (isIP(address) !== 6) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const refuse = (r: RateLimitResult) => new RateLimitedError({ ...rateLimitHeaders(r), 'retry-after': r.retryAfter });

/**
 * Who may try a password now (docs/OPERATIONS.md, Login throttling). Failures are counted per
 * email *and* IP, so a stranger failing on purpose locks out only their own address, never the
 * owner. Past a higher ceiling of failures per email (from every IP), the account is slowed, not
 * locked: addresses it never signed in from share one password check per interval, while its
 * owner's known addresses go on as before. Every count is taken before the check, atomically
 * (increment-then-check), so parallel attempts cannot all pass a limit before any is counted.
 */
export interface LoginThrottleDeps {
  readonly limiter: RateLimiter;
  readonly login: Config['login'];
  /** RATE_LIMITS_ENABLED. */
  readonly enabled: boolean;
  /** Whether this account ever signed in from this address (its `addressKey`). */
  readonly knownAddress: (email: string, ip: string) => Promise<boolean>;
}

export class LoginThrottle {
  constructor(private readonly deps: LoginThrottleDeps) {}

  /** Every sign-in attempt of an address, right or wrong (LOGIN_RATE_LIMIT). */
  async countAddress(ip: string): Promise<void> {
    if (!this.deps.enabled) return;
    const perIp = await this.deps.limiter.hit('login.ip', addressKey(ip), this.deps.login.perIpPer15Min, WINDOW_SEC);
    if (!perIp.allowed) throw refuse(perIp);
  }

  /** Admits one password check of `email` from `ip`, or throws 429; counted as failed until `passed`. */
  async admit(email: string, ip: string): Promise<Attempt> {
    if (!this.deps.enabled) return NOTHING;
    const pair = await this.deps.limiter.reserve('login.failed', `${email} ${addressKey(ip)}`, this.deps.login.failedPerEmailIpPer15Min, WINDOW_SEC);
    if (!pair.result.allowed) throw refuse(pair.result);
    const account = await this.deps.limiter.reserve('login.failed.account', email, this.deps.login.slowAfterFailedPer15Min, WINDOW_SEC);
    const release = async () => { await Promise.all([pair.release(), account.release()]); };
    if (!account.result.allowed && !(await this.deps.knownAddress(email, addressKey(ip)).catch(() => false))) {
      const pace = await this.deps.limiter.pace('login.slow', email, this.deps.login.slowIntervalSec * 1000);
      if (!pace.allowed) {
        await release(); // no password was checked: nothing failed
        throw new RateLimitedError({ 'retry-after': pace.retryAfter });
      }
    }
    return { passed: release };
  }
}
