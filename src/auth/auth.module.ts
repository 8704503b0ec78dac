import type { Module, Platform } from '../platform/module.js';
import type { UsersService } from '../users/index.js';
import { SessionReads, SessionsRepository } from './auth.repository.js';
import { authRoutes } from './auth.routes.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { SessionCache } from './session-cache.js';

export interface AuthModuleDeps extends Pick<Platform, 'db' | 'pool' | 'redis' | 'redisTarget' | 'config' | 'log' | 'limiter' | 'secret'> {
  /** The credentials auth checks and changes (users owns them). */
  readonly users: Pick<UsersService, 'credentials' | 'checkPassword' | 'setPassword'>;
}

/** Sign-in, sessions (HMAC'd tokens, a cache with pub/sub revocation) and the login throttle. */
export function authModule(deps: AuthModuleDeps) {
  const { config } = deps;
  const sessions = new SessionsRepository(deps.db);
  const cache = new SessionCache({ redis: deps.redis, redisTarget: deps.redisTarget, prefix: config.queuePrefix, ttlMs: config.sessionCacheMs, maxEntries: 100_000, log: deps.log });
  const throttle = new LoginThrottle({
    limiter: deps.limiter, login: config.login, enabled: config.rateLimits.enabled, knownAddress: (email, ip) => sessions.signedInFrom(email, ip),
  });
  const auth = new AuthService({ db: deps.db, sessions, reads: new SessionReads(deps.pool), users: deps.users, throttle, cache, secret: deps.secret, config });
  return {
    auth,
    /** The port other capabilities see of sessions: revocations as they happen, and which are still live. */
    sessions: {
      onRevoked: (listener: (sessionId: string) => void) => cache.onRevoked(listener),
      active: (ids: readonly string[]) => auth.activeSessions(ids),
    },
    jobs: {},
    routes: (http) => authRoutes(http, { auth, cookie: { ...config.http.cookie, publicUrl: config.publicUrl } }),
    start: () => cache.start(),
    stop: () => cache.close(),
  } satisfies Module & Record<string, unknown>;
}
export type AuthModule = ReturnType<typeof authModule>;
export type SessionsPort = AuthModule['sessions'];
