import type { AuthUser } from '../platform/http/auth.js';
import type { Logger } from '../platform/logger.js';
import { createSubscriberRedis, type RedisClient, type RedisTarget } from '../platform/redis/connection.js';

/** A revoked session: its cache key (the token's HMAC, base64url) and its id. */
export interface RevokedSession {
  readonly key: string;
  readonly sessionId: string;
}

// One pub/sub message carries at most this many revocations (a password change revokes them all).
const PER_MESSAGE = 500;

export interface SessionCacheDeps {
  /** Commands and publishing; the subscription takes a connection of its own, made from `redisTarget`. */
  readonly redis: RedisClient;
  readonly redisTarget: RedisTarget;
  readonly prefix: string;
  /** SESSION_CACHE_MS. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly log: Logger;
}

/**
 * Recently authenticated sessions, for `ttlMs`, so most requests skip the session lookup. A
 * logout or password change evicts the sessions here and, through Redis pub/sub, in every other
 * API process, where `onRevoked` listeners (the event streams of that session) hear of it too.
 * Should pub/sub be down, another process may accept a revoked session for at most `ttlMs`.
 *
 * A lookup that was running when a revocation arrived may have read the session before it was
 * revoked: `stamp()` before the lookup and pass it to `set`, which then caches nothing.
 */
export class SessionCache {
  private readonly entries = new Map<string, { user: AuthUser; until: number }>();
  private readonly revokedListeners: Array<(sessionId: string) => void> = [];
  private subscriber: RedisClient | null = null;
  private readonly channel: string;
  /** Bumped by every revocation seen (and every forgetting); a lookup older than it is not cached. */
  private generation = 0;

  constructor(private readonly deps: SessionCacheDeps) {
    this.channel = `${deps.prefix}:session-revoked`;
  }

  onRevoked(listener: (sessionId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  /** Listens for revocations from every API process, this one included. */
  async start(): Promise<void> {
    const subscriber = createSubscriberRedis(this.deps.redisTarget, { lazyConnect: true });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, message: string) => {
      this.generation++;
      // One `<key> <sessionId>` per line.
      for (const line of message.split('\n')) {
        const [key = '', sessionId = ''] = line.split(' ');
        this.entries.delete(key);
        if (sessionId) for (const listener of this.revokedListeners) listener(sessionId);
      }
    });
    // After a reconnect, revocations published meanwhile are lost: forget everything instead.
    subscriber.on('ready', () => this.forget());
    this.subscriber = subscriber;
    await subscriber.connect().catch(() => undefined);
    await subscriber.subscribe(this.channel).catch((err: Error) => this.deps.log.warn({ err: err.message }, 'session revocations not subscribed'));
  }

  /** Whether anything is cached at all (SESSION_CACHE_MS > 0). */
  get enabled(): boolean {
    return this.deps.ttlMs > 0;
  }

  /** Taken before a session lookup; `set` caches its result only if nothing was revoked since. */
  stamp(): number {
    return this.generation;
  }

  get(key: string, now = Date.now()): AuthUser | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    if (hit.until <= now) {
      this.entries.delete(key);
      return null;
    }
    return hit.user;
  }

  set(key: string, user: AuthUser, sessionExpiresAt: number, stamp = this.generation, now = Date.now()): void {
    if (this.deps.ttlMs === 0 || stamp !== this.generation) return;
    if (this.entries.size >= this.deps.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { user, until: Math.min(now + this.deps.ttlMs, sessionExpiresAt) });
  }

  async revoke(key: string, sessionId: string): Promise<void> {
    await this.revokeMany([{ key, sessionId }]);
  }

  /** Evicts the sessions here at once and tells every API process (this one's listeners included). */
  async revokeMany(sessions: readonly RevokedSession[]): Promise<void> {
    if (sessions.length === 0) return;
    this.generation++;
    for (const { key } of sessions) this.entries.delete(key);
    for (let i = 0; i < sessions.length; i += PER_MESSAGE) {
      const message = sessions.slice(i, i + PER_MESSAGE).map((s) => `${s.key} ${s.sessionId}`).join('\n');
      await this.deps.redis.publish(this.channel, message).catch((err: Error) => this.deps.log.warn({ err: err.message }, 'session revocation not published'));
    }
  }

  private forget(): void {
    this.generation++;
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.forget();
  }
}
