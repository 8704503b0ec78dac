import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../platform/db/client.js';
import { InvalidError, UnauthorizedError } from '../platform/errors.js';
import type { AuthUser } from '../platform/http/auth.js';
import { INVALID_BODY } from '../platform/http/validation.js';
import { hashPassword } from '../platform/password.js';
import type { PublicUser, UsersService } from '../users/index.js';
import type { SessionReads, SessionsRepository } from './auth.repository.js';
import type { ChangePasswordInput } from './auth.schemas.js';
import type { Attempt, LoginThrottle } from './login-throttle.js';
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
export interface AuthServiceDeps {
  /** For the password change's transaction. */
  readonly db: Db;
  readonly sessions: SessionsRepository;
  /** The per-request session lookup (a prepared statement on the pool). */
  readonly reads: Pick<SessionReads, 'findActive'>;
  /** Users owns the credentials: checking a password and setting a new one. */
  readonly users: Pick<UsersService, 'credentials' | 'checkPassword' | 'setPassword'>;
  readonly throttle: LoginThrottle;
  readonly cache: SessionCache;
  /** The HMAC key of session tokens. */
  readonly secret: string;
  readonly config: Pick<Config, 'sessionTtlMs'>;
}

export class AuthService {
  /** Session lookups under way, by cache key, with the cache's stamp when each began. */
  private readonly lookups = new Map<string, { stamp: number; user: Promise<AuthUser | null> }>();

  constructor(private readonly deps: AuthServiceDeps) {}

  private hashToken(token: string): Buffer {
    return createHmac('sha256', this.deps.secret).update(token).digest();
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
    await this.deps.throttle.countAddress(client.ip);
    const attempt = await this.deps.throttle.admit(email, client.ip);
    const found = await this.checked(attempt, () => this.deps.users.credentials(email, password));
    if (!found) throw new UnauthorizedError('Invalid email or password');
    const session = await this.createSession(this.deps.sessions, found.user, found.passwordHash, client);
    // The password changed between the check and the insert: the old one no longer signs in.
    if (!session) throw new UnauthorizedError('Invalid email or password');
    return session;
  }

  private async createSession(sessions: SessionsRepository, user: PublicUser, passwordHash: string, client: Client): Promise<LoginResult | null> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.deps.config.sessionTtlMs);
    const created = await sessions.create({
      userId: user.id, passwordHash, tokenHash: this.hashToken(token), expiresAt, ip: client.ip, userAgent: client.userAgent?.slice(0, 500) ?? null,
    });
    return created ? { user, token, expiresAt } : null;
  }

  /**
   * The session's user, from the cache or looked up. Requests of one session that miss the cache
   * together (a page's parallel calls, a client's retries) share one lookup: without that, each
   * ran its own until the first had filled the cache (bench:api counted 0.45 lookups a request).
   * A request joins only a lookup begun since the last revocation this process has seen (the same
   * stamp), so it never gets more than the cache itself would have given it.
   */
  async authenticate(token: string): Promise<AuthUser | null> {
    if (!TOKEN.test(token)) return null;
    const hash = this.hashToken(token);
    const key = hash.toString('base64url');
    const cached = this.deps.cache.get(key);
    if (cached) return cached;
    const stamp = this.deps.cache.stamp();
    // With SESSION_CACHE_MS=0 nothing is shared: every request reads its session itself, as that
    // setting promises.
    const running = this.deps.cache.enabled ? this.lookups.get(key) : undefined;
    if (running?.stamp === stamp) {
      const shared = await running.user;
      // A revocation seen while the shared lookup ran may have committed before this request
      // came: its own lookup would have seen it, so it looks again (the cache refuses that
      // lookup's result too).
      if (this.deps.cache.stamp() === stamp) return shared;
      return this.authenticate(token);
    }
    const user = this.lookUp(hash, key, stamp);
    this.lookups.set(key, { stamp, user });
    try {
      return await user;
    } finally {
      if (this.lookups.get(key)?.user === user) this.lookups.delete(key);
    }
  }

  private async lookUp(hash: Buffer, key: string, stamp: number): Promise<AuthUser | null> {
    const found = await this.deps.reads.findActive(hash);
    if (!found) return null;
    const { expiresAt, ...user } = found;
    this.deps.cache.set(key, user, expiresAt.getTime(), stamp);
    return user;
  }

  /** Which of these sessions are still live, and until when (open event streams re-check theirs). */
  activeSessions(ids: readonly string[]): Promise<Map<string, Date>> {
    return this.deps.sessions.activeAmong(ids);
  }

  async logout(token: string, sessionId: string): Promise<void> {
    const hash = this.hashToken(token);
    await this.deps.sessions.revoke(hash);
    await this.deps.cache.revoke(hash.toString('base64url'), sessionId);
  }

  /**
   * Checks the current password (failures count with failed logins), sets the new one, revokes
   * every session of the user (in every API process) and returns a fresh one for the caller, in
   * one transaction.
   */
  async changePassword(actor: AuthUser, input: ChangePasswordInput, client: Client): Promise<LoginResult> {
    const attempt = await this.deps.throttle.admit(actor.email, client.ip);
    const current = await this.checked(attempt, () => this.deps.users.checkPassword(actor.id, input.currentPassword));
    if (!current) throw invalid('currentPassword', 'is incorrect');
    const weak = weakness(input.newPassword, input.currentPassword, actor.email);
    if (weak) throw invalid('newPassword', weak);
    const passwordHash = await hashPassword(input.newPassword);
    const { result, revoked } = await this.deps.db.transaction().execute(async (tx) => {
      // Changed meanwhile by another request: this one's current password is no longer current.
      if (!(await this.deps.users.setPassword(tx, actor.id, current.passwordHash, passwordHash))) throw invalid('currentPassword', 'is incorrect');
      const sessions = this.deps.sessions.in(tx);
      const revoked = await sessions.revokeAllOf(actor.id);
      return { result: (await this.createSession(sessions, current.user, passwordHash, client))!, revoked };
    });
    await this.deps.cache.revokeMany(revoked.map((s) => ({ key: s.token_hash.toString('base64url'), sessionId: s.id })));
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
