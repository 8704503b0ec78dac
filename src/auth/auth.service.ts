import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { RateLimitedError, UnauthorizedError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import { rateLimitHeaders, type RateLimiter } from '../platform/http/rate-limit.js';
import type { UsersService } from '../users/users.service.js';
import type { PublicUser } from '../users/users.schemas.js';
import type { SessionsRepository } from './auth.repository.js';
import type { SessionCache } from './session-cache.js';

const LOGIN_WINDOW_SEC = 15 * 60;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface LoginResult {
  readonly user: PublicUser;
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * Server-side sessions. The client holds a random 256-bit token; the database holds only its
 * HMAC, so a leaked sessions table cannot be replayed. The same token works as cookie or bearer.
 */
export class AuthService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    private readonly limiter: RateLimiter,
    private readonly config: Pick<Config, 'sessionTtlMs' | 'login' | 'rateLimits'>,
    private readonly secret: string,
    private readonly cache: SessionCache,
  ) {}

  private hashToken(token: string): Buffer {
    return createHmac('sha256', this.secret).update(token).digest();
  }

  async login(email: string, password: string, client: { ip: string; userAgent: string | null }): Promise<LoginResult> {
    if (this.config.rateLimits.enabled) {
      const perIp = await this.limiter.hit('login.ip', client.ip, this.config.login.perIpPer15Min, LOGIN_WINDOW_SEC);
      if (!perIp.allowed) throw new RateLimitedError({ ...rateLimitHeaders(perIp), 'retry-after': perIp.retryAfter });
      const failures = await this.limiter.peek('login.failed', email, this.config.login.failedPerEmailPer15Min, LOGIN_WINDOW_SEC);
      if (!failures.allowed) throw new RateLimitedError({ ...rateLimitHeaders(failures), 'retry-after': failures.retryAfter });
    }
    const user = await this.users.verifyCredentials(email, password);
    if (!user) {
      if (this.config.rateLimits.enabled) await this.limiter.hit('login.failed', email, this.config.login.failedPerEmailPer15Min, LOGIN_WINDOW_SEC);
      throw new UnauthorizedError('Invalid email or password');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlMs);
    await this.sessions.create({ userId: user.id, tokenHash: this.hashToken(token), expiresAt, ip: client.ip, userAgent: client.userAgent?.slice(0, 500) ?? null });
    return { user, token, expiresAt };
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    if (!TOKEN.test(token)) return null;
    const hash = this.hashToken(token);
    const key = hash.toString('base64url');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const found = await this.sessions.findActive(hash);
    if (!found) return null;
    const { expiresAt, ...user } = found;
    this.cache.set(key, user, expiresAt.getTime());
    return user;
  }

  async logout(token: string, sessionId: string): Promise<void> {
    const hash = this.hashToken(token);
    await this.sessions.revoke(hash);
    await this.cache.revoke(hash.toString('base64url'), sessionId);
  }
}
