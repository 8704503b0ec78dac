import type { Module, Platform } from '../platform/module.js';
import type { UsersService } from '../users/users.service.js';
import { authRoutes } from './auth.routes.js';
import { AuthService } from './auth.service.js';
import { SessionCache } from './session-cache.js';

export interface AuthModuleDeps extends Pick<Platform, 'db' | 'redis' | 'config' | 'log' | 'limiter' | 'secret'> {
  readonly users: UsersService;
}

/** Sign-in, sessions (HMAC'd tokens, a cache with pub/sub revocation) and the login throttle. */
export function authModule(deps: AuthModuleDeps) {
  const { config } = deps;
  const cache = new SessionCache({ redis: deps.redis, prefix: config.queuePrefix, ttlMs: config.sessionCacheMs, maxEntries: 100_000, log: deps.log });
  const auth = new AuthService(deps.db, deps.users, deps.limiter, config, deps.secret, cache);
  return {
    auth,
    /** The port other capabilities see of sessions: revocations as they happen, and which are still live. */
    sessions: {
      onRevoked: (listener: (sessionId: string) => void) => cache.onRevoked(listener),
      active: (ids: readonly string[]) => auth.activeSessions(ids),
    },
    jobs: {},
    routes: (http) => authRoutes(http, auth, config.http.cookie),
    start: () => cache.start(),
    stop: () => cache.close(),
  } satisfies Module & Record<string, unknown>;
}
export type AuthModule = ReturnType<typeof authModule>;
export type SessionsPort = AuthModule['sessions'];
