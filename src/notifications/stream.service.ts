import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { createSubscriberRedis, type RedisClient, type RedisTarget } from '../platform/redis/connection.js';
import type { NotificationView } from './notifications.schemas.js';
import { StreamRegistry } from './stream.registry.js';

/**
 * A change to some of a user's notifications (issue 17), sent to the user's streams as a
 * `notifications-changed` event and followed by the new unread counts. `notifications` carries the
 * changed rows as they are now when a client needs them to show the change (a snooze that ended,
 * an unarchive, a single action); `ids` alone otherwise. `read-all` and `seen-all` name no ids.
 */
export interface InboxChange {
  action: 'read' | 'unread' | 'seen' | 'archive' | 'unarchive' | 'delete' | 'snooze' | 'unsnooze' | 'wake' | 'expire' | 'read-all' | 'seen-all';
  ids: string[];
  notifications?: NotificationView[];
}
export const INBOX_CHANGE_ACTIONS = ['read', 'unread', 'seen', 'archive', 'unarchive', 'delete', 'snooze', 'unsnooze', 'wake', 'expire', 'read-all', 'seen-all'] as const satisfies ReadonlyArray<InboxChange['action']>;

export type StreamMessage =
  | { kind: 'notification'; notification: NotificationView }
  | { kind: 'unread-changed' }
  | { kind: 'changed'; change: InboxChange };

/** What travels on a user's channel: the streams' messages, and which streams a newer one replaced. */
type ChannelMessage = StreamMessage | { kind: 'evict'; streams: string[] };

/** Why the server ended a stream (told to the client in a last `closed` event). */
export type StreamEndReason = 'too-many-streams' | 'session-ended';

/** One open stream of this process (an SSE response). */
export interface StreamListener {
  deliver(message: StreamMessage): void;
  /** Ends the stream; the client reconnects with Last-Event-ID and replays what it missed. */
  end(reason?: StreamEndReason): void;
}

/** Live sessions among these ids, with their expiry (the auth service's answer). */
export type ActiveSessions = (ids: readonly string[]) => Promise<Map<string, Date>>;

/** Over SSE_MAX_CONNECTIONS: this process takes no more streams; another may. */
export class StreamsFullError extends AppError {
  constructor() {
    super(503, 'Service unavailable', undefined, { 'retry-after': 10 });
  }
}

interface RegistryEntry {
  readonly userId: string;
  readonly streamId: string;
  listed: boolean;
}

export interface Listening {
  /** Settles once Redis confirmed the subscription (or after a short wait while Redis is down). */
  readonly ready: Promise<void>;
  readonly stop: () => void;
}

// While Redis is down a subscription waits in the offline queue; the stream starts without it.
const SUBSCRIBE_WAIT_MS = 2_000;

export interface NotificationStreamDeps {
  readonly redis: RedisClient;
  /** Where the subscriber connects (the same Redis as `redis`, URL or Sentinel). */
  readonly redisTarget: RedisTarget;
  readonly prefix: string;
  readonly log: Logger;
  readonly heartbeatMs: number;
  /** Streams per user in this process (the oldest is ended), streams in this process (more get 503), session re-check period. */
  readonly maxPerUser: number;
  readonly maxConnections: number;
  readonly sessionCheckMs: number;
}

/**
 * Live push of inbox changes to every open session of a user, across API processes: publishers
 * PUBLISH on the user's channel, and each process holding streams of that user is subscribed to it
 * through its one subscriber connection, for as long as it holds at least one.
 */
export class NotificationStream {
  private subscriber: RedisClient | null = null;
  private readonly channels = new Map<string, Set<StreamListener>>();
  private readonly subscribed = new Map<string, Promise<void>>();
  private readonly sessions = new Map<StreamListener, string>();
  private readonly expiries = new Map<StreamListener, NodeJS.Timeout>();
  /** Each stream's entry in the cross-process registry (SSE_MAX_PER_USER); `listed` once registration was tried. */
  private readonly registered = new Map<StreamListener, RegistryEntry>();
  private readonly registry: StreamRegistry;
  private registryRefresh: NodeJS.Timeout | null = null;
  private refreshing = false;
  private open = 0;
  private sessionCheck: NodeJS.Timeout | null = null;
  private activeSessions: ActiveSessions | null = null;
  private closed = false;

  constructor(private readonly deps: NotificationStreamDeps) {
    this.registry = new StreamRegistry({ redis: deps.redis, prefix: deps.prefix, staleMs: 3 * deps.heartbeatMs, maxPerUser: deps.maxPerUser });
  }

  /** Streams open in this process. */
  get openStreams(): number {
    return this.open;
  }

  /** Throws 503 when this process already holds SSE_MAX_CONNECTIONS streams (checked before the stream starts). */
  admit(): void {
    if (this.open >= this.deps.maxConnections) throw new StreamsFullError();
  }

  /**
   * Every `sessionCheckMs`, asks which sessions of the open streams are still live: a stream whose
   * session expired, or was revoked without the pub/sub message reaching us, ends; one whose
   * session expires before the next check ends at that moment.
   */
  watchSessions(activeSessions: ActiveSessions): void {
    this.activeSessions = activeSessions;
    this.sessionCheck ??= setInterval(() => void this.checkSessions(), this.deps.sessionCheckMs).unref();
  }

  async checkSessions(now = Date.now()): Promise<void> {
    if (!this.activeSessions || this.sessions.size === 0) return;
    const held = [...this.sessions];
    let active: Map<string, Date>;
    try {
      active = await this.activeSessions([...new Set(held.map(([, id]) => id))]);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'stream session check failed; streams kept until the next one');
      return;
    }
    for (const [listener, id] of held) {
      const expiresAt = active.get(id);
      if (!expiresAt) listener.end('session-ended');
      else if (expiresAt.getTime() - now < this.deps.sessionCheckMs && !this.expiries.has(listener)) {
        this.expiries.set(listener, setTimeout(() => listener.end('session-ended'), Math.max(0, expiresAt.getTime() - now)).unref());
      }
    }
  }

  /** After a notification committed (called by the delivery worker). */
  async publishNotification(userId: string, notification: NotificationView): Promise<void> {
    await this.publish(userId, { kind: 'notification', notification });
  }

  /** After read state changed (mark read, read all, delete). */
  async publishUnreadChanged(userId: string): Promise<void> {
    await this.publish(userId, { kind: 'unread-changed' });
  }

  /** After an inbox change of the user's (issue 17): every open stream hears what changed. */
  async publishChange(userId: string, change: InboxChange): Promise<void> {
    await this.publish(userId, { kind: 'changed', change });
  }

  private async publish(userId: string, message: ChannelMessage): Promise<void> {
    await this.deps.redis.publish(this.channel(userId), JSON.stringify(message));
  }

  private channel(userId: string): string {
    return `${this.deps.prefix}:user:${userId}`;
  }

  /** Ends this process's streams of a signed-out session (their reconnect then gets 401). */
  endSession(sessionId: string): void {
    for (const [listener, id] of this.sessions) if (id === sessionId) listener.end('session-ended');
  }

  /** Forwards the user's messages to a local stream until `stop` (reference-counted per user). */
  listen(userId: string, listener: StreamListener, sessionId?: string): Listening {
    if (this.closed) {
      listener.end();
      return { ready: Promise.resolve(), stop: () => undefined };
    }
    const channel = this.channel(userId);
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
      this.subscribed.set(channel, this.subscribe(channel));
    }
    listeners.add(listener);
    this.open++;
    if (sessionId) this.sessions.set(listener, sessionId);
    // SSE_MAX_PER_USER: the newest stream wins, at once here (sets keep insertion order, so the
    // first are the oldest) and, through the registry, across processes.
    for (const old of [...listeners].slice(0, Math.max(0, listeners.size - this.deps.maxPerUser))) old.end('too-many-streams');
    // Entered in the user's registry only once this process hears the user's channel: an eviction
    // another process publishes before that would be lost, and the stream left open past the cap.
    const entry: RegistryEntry = { userId, streamId: StreamRegistry.newId(), listed: false };
    this.registered.set(listener, entry);
    this.registryRefresh ??= setInterval(() => void this.refreshRegistry(), this.deps.heartbeatMs).unref();
    const ready = this.subscribed.get(channel)!;
    void ready.then(() => this.register(listener, entry));
    const stop = () => {
      const entry = this.registered.get(listener);
      this.registered.delete(listener);
      if (entry) this.registry.unregister(entry.userId, entry.streamId).catch(() => undefined);
      this.sessions.delete(listener);
      clearTimeout(this.expiries.get(listener));
      this.expiries.delete(listener);
      if (!listeners.delete(listener)) return;
      this.open--;
      if (listeners.size > 0 || this.channels.get(channel) !== listeners) return;
      this.channels.delete(channel);
      this.subscribed.delete(channel);
      this.subscriber?.unsubscribe(channel).catch(() => undefined);
    };
    return { ready, stop };
  }

  /**
   * Enters the stream in the user's registry (again, when the heartbeat found it gone); ends
   * (everywhere) the user's streams past the cap, which may be this one.
   */
  private async register(listener: StreamListener, entry: RegistryEntry): Promise<void> {
    if (this.registered.get(listener) !== entry) return; // ended before its subscription was ready
    const { userId, streamId } = entry;
    let evicted: string[];
    try {
      evicted = await this.registry.register(userId, streamId);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'stream registry unavailable; the per-user cap holds per process only');
      entry.listed = true; // the heartbeat finds it missing once Redis is back, and registers it then
      return;
    }
    entry.listed = true;
    // Ended meanwhile: its stop() may have run before the entry existed.
    if (this.registered.get(listener) !== entry) await this.registry.unregister(userId, streamId).catch(() => undefined);
    if (evicted.length === 0) return;
    this.evict(this.channel(userId), evicted);
    await this.publish(userId, { kind: 'evict', streams: evicted }).catch(() => undefined);
  }

  /**
   * The heartbeat (every `heartbeatMs`): keeps this process's registered streams alive in their
   * users' sets. One no longer there (evicted by a message this process did not hear, dropped as
   * stale, or lost with Redis's data) is registered again, by its open time, through the cap: one
   * evicted unheard is the oldest and ends (`too-many-streams`); after a flush it is simply back.
   */
  async refreshRegistry(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const listed = [...this.registered].filter(([, entry]) => entry.listed);
      const missing = new Set(await this.registry.refresh(listed.map(([, entry]) => entry)));
      for (const [listener, entry] of listed) if (missing.has(entry)) await this.register(listener, entry);
    } catch {
      // Redis away: the next beat tries again.
    } finally {
      this.refreshing = false;
    }
  }

  private evict(channel: string, streamIds: readonly string[]): void {
    const ids = new Set(streamIds);
    for (const listener of this.channels.get(channel) ?? []) {
      if (ids.has(this.registered.get(listener)?.streamId ?? '')) listener.end('too-many-streams');
    }
  }

  private async subscribe(channel: string): Promise<void> {
    this.subscriber ??= this.createSubscriber();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS); });
    const done = this.subscriber.subscribe(channel).then(() => undefined, (err: Error) => {
      this.deps.log.warn({ err: err.message, channel }, 'stream subscription failed');
    });
    await Promise.race([done, waited]).finally(() => clearTimeout(timer));
  }

  /** Created on the first stream, so processes that never serve one (workers) never open it. */
  private createSubscriber(): RedisClient {
    const subscriber = createSubscriberRedis(this.deps.redisTarget);
    let lost = false;
    subscriber.on('error', (err: Error) => {
      if (!lost) this.deps.log.warn({ err: err.message }, 'stream subscriber lost Redis; reconnecting');
      lost = true;
    });
    subscriber.on('close', () => { lost = true; });
    subscriber.on('ready', () => {
      if (!lost) return;
      lost = false;
      // Messages published while we were away are gone: end the streams so their clients reconnect
      // with Last-Event-ID and replay from PostgreSQL.
      this.deps.log.info('stream subscriber reconnected; asking clients to resync');
      for (const listener of this.allListeners()) listener.end();
    });
    subscriber.on('message', (channel: string, raw: string) => {
      const listeners = this.channels.get(channel);
      if (!listeners) return;
      let message: ChannelMessage;
      try {
        message = JSON.parse(raw) as ChannelMessage;
      } catch {
        return;
      }
      if (message.kind === 'evict') this.evict(channel, message.streams);
      else for (const listener of listeners) listener.deliver(message);
    });
    return subscriber;
  }

  private allListeners(): StreamListener[] {
    return [...this.channels.values()].flatMap((listeners) => [...listeners]);
  }

  /** Ends every open stream (so the HTTP server can close) and the subscriber connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sessionCheck) clearInterval(this.sessionCheck);
    if (this.registryRefresh) clearInterval(this.registryRefresh);
    const listeners = this.allListeners();
    this.channels.clear();
    this.subscribed.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
    for (const listener of listeners) listener.end();
  }
}
