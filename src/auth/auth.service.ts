import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../platform/db/client.js';
import { InvalidError, UnauthorizedError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import type { RateLimiter } from '../platform/http/rate-limit.js';
import { INVALID_BODY } from '../platform/http/validation.js';
import type { UsersService } from '../users/users.service.js';
import type { PublicUser } from '../users/users.schemas.js';
import { SessionsRepository } from './auth.repository.js';
import { LoginThrottle, type Attempt } from './login-throttle.js';
import { hashPassword } from '../platform/password.js';
import type { ChangePasswordInput } from './auth.schemas.js';
import type { SessionCache } from './session-cache.js';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface LoginResult {
  readonly user: PublicUser;
  readonly token: string;
  readonly expiresAt: Date;
}

type Client = { ip: string; userAgent: string | null };

const invalid = (field: string, message: string) => new InvalidError(INVALID_BODY, [{ code: 'custom', path: [field], message }]);

/**
 * Server-side sessions. The client holds a random 256-bit token; the database holds only its
 * HMAC, so a leaked sessions table cannot be replayed. The same token works as cookie or bearer.
 */
export class AuthService {
  private readonly sessions: SessionsRepository;
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    limiter: RateLimiter,
    private readonly config: Pick<Config, 'sessionTtlMs' | 'login' | 'rateLimits'>,
    private readonly secret: string,
    private readonly cache: SessionCache,
  ) {
    this.sessions = new SessionsRepository(db);
    this.throttle = new LoginThrottle(limiter, config.login, config.rateLimits.enabled, (email, ip) => this.sessions.signedInFrom(email, ip));
  }

  private hashToken(token: string): Buffer {
    return createHmac('sha256', this.secret).update(token).digest();
  }

  /** Runs a password check the throttle admitted; only a wrong password stays counted. */
  private async checked<T>(attempt: Attempt, check: () => Promise<T | null | undefined>): Promise<T | null> {
    let result: T | null | undefined;
    try {
      result = await check();
    } catch (err) {
      await attempt.passed(); // not a wrong password: the database failed
      throw err;
    }
    if (result) await attempt.passed();
    return result ?? null;
  }

  /** Always a new session with a fresh random token: nothing the client sends is ever adopted. */
  async login(email: string, password: string, client: Client): Promise<LoginResult> {
    await this.throttle.countAddress(client.ip);
    const attempt = await this.throttle.admit(email, client.ip);
    const found = await this.checked(attempt, () => this.users.credentials(email, password));
    if (!found) throw new UnauthorizedError('Invalid email or password');
    const session = await this.createSession(this.sessions, found.user, found.passwordHash, client);
    // The password changed between the check and the insert: the old one no longer signs in.
    if (!session) throw new UnauthorizedError('Invalid email or password');
    return session;
  }

  private async createSession(sessions: SessionsRepository, user: PublicUser, passwordHash: string, client: Client): Promise<LoginResult | null> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlMs);
    const created = await sessions.create({
      userId: user.id, passwordHash, tokenHash: this.hashToken(token), expiresAt, ip: client.ip, userAgent: client.userAgent?.slice(0, 500) ?? null,
    });
    return created ? { user, token, expiresAt } : null;
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    if (!TOKEN.test(token)) return null;
    const hash = this.hashToken(token);
    const key = hash.toString('base64url');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const stamp = this.cache.stamp();
    const found = await this.sessions.findActive(hash);
    if (!found) return null;
    const { expiresAt, ...user } = found;
    this.cache.set(key, user, expiresAt.getTime(), stamp);
    return user;
  }

  /** Which of these sessions are still live, and until when (open event streams re-check theirs). */
  activeSessions(ids: readonly string[]): Promise<Map<string, Date>> {
    return this.sessions.activeAmong(ids);
  }

  async logout(token: string, sessionId: string): Promise<void> {
    const hash = this.hashToken(token);
    await this.sessions.revoke(hash);
    await this.cache.revoke(hash.toString('base64url'), sessionId);
  }

  /**
   * Checks the current password (failures count with failed logins), sets the new one, revokes
   * every session of the user (in every API process) and returns a fresh one for the caller, in
   * one transaction.
   */
  async changePassword(actor: AuthUser, input: ChangePasswordInput, client: Client): Promise<LoginResult> {
    const attempt = await this.throttle.admit(actor.email, client.ip);
    const current = await this.checked(attempt, () => this.users.checkPassword(actor.id, input.currentPassword));
    if (!current) throw invalid('currentPassword', 'is incorrect');
    const weak = weakness(input.newPassword, input.currentPassword, actor.email);
    if (weak) throw invalid('newPassword', weak);
    const passwordHash = await hashPassword(input.newPassword);
    const { result, revoked } = await this.db.transaction().execute(async (tx) => {
      // Changed meanwhile by another request: this one's current password is no longer current.
      if (!(await this.users.setPassword(tx, actor.id, current.passwordHash, passwordHash))) throw invalid('currentPassword', 'is incorrect');
      const sessions = new SessionsRepository(tx);
      const revoked = await sessions.revokeAllOf(actor.id);
      return { result: (await this.createSession(sessions, current.user, passwordHash, client))!, revoked };
    });
    await this.cache.revokeMany(revoked.map((s) => ({ key: s.token_hash.toString('base64url'), sessionId: s.id })));
    return result;
  }
}

/** Why a new password is refused, or null (length is the schema's). */
function weakness(password: string, current: string, email: string): string | null {
  if (password === current) return 'must differ from the current password';
  const lower = password.toLowerCase();
  if (lower === email.toLowerCase() || lower === email.toLowerCase().split('@')[0]) return 'must not be your email address';
  if (new Set(password).size < 4) return 'must use at least 4 different characters';
  return null;
}
