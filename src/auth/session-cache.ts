import type { Redis } from 'ioredis';
import type { AuthUser } from '../platform/http/auth.js';
import type { Logger } from '../platform/logger.js';

/**
 * Recently authenticated sessions, for `ttlMs`, so most requests skip the session lookup. A
 * logout evicts the session here and, through Redis pub/sub, in every other API process, where
 * `onRevoked` listeners (the event streams of that session) hear of it too. Should pub/sub be
 * down, another process may accept a revoked session for at most `ttlMs`.
 */
export class SessionCache {
  private readonly entries = new Map<string, { user: AuthUser; until: number }>();
  private readonly revokedListeners: Array<(sessionId: string) => void> = [];
  private subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(private readonly deps: { redis: Redis; prefix: string; ttlMs: number; maxEntries: number; log: Logger }) {
    this.channel = `${deps.prefix}:session-revoked`;
  }

  onRevoked(listener: (sessionId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  /** Listens for revocations from every API process, this one included. */
  async start(): Promise<void> {
    const subscriber = this.deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: true });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, message: string) => {
      const [key = '', sessionId = ''] = message.split(' ');
      this.entries.delete(key);
      if (sessionId) for (const listener of this.revokedListeners) listener(sessionId);
    });
    // After a reconnect, revocations published meanwhile are lost: forget everything instead.
    subscriber.on('ready', () => this.entries.clear());
    this.subscriber = subscriber;
    await subscriber.connect().catch(() => undefined);
    await subscriber.subscribe(this.channel).catch((err: Error) => this.deps.log.warn({ err: err.message }, 'session revocations not subscribed'));
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

  set(key: string, user: AuthUser, sessionExpiresAt: number, now = Date.now()): void {
    if (this.deps.ttlMs === 0) return;
    if (this.entries.size >= this.deps.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { user, until: Math.min(now + this.deps.ttlMs, sessionExpiresAt) });
  }

  async revoke(key: string, sessionId: string): Promise<void> {
    this.entries.delete(key);
    await this.deps.redis.publish(this.channel, `${key} ${sessionId}`).catch((err: Error) => this.deps.log.warn({ err: err.message }, 'session revocation not published'));
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.entries.clear();
  }
}
