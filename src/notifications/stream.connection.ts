import type { ServerResponse } from 'node:http';
import type { Logger } from '../platform/logger.js';
import type { NotificationView } from './notifications.schemas.js';
import { toView, type InboxService } from './inbox.service.js';
import { eventId, legacyEventId, parseEventId, type StreamPoint, type StreamRepository } from './stream.repository.js';
import type { Listening, NotificationStream, StreamEndReason, StreamListener, StreamMessage } from './stream.service.js';

/** The SSE connections of GET /api/notifications/stream (JOBS.md §1.4): replay, live messages, counts. */

// A replay sends at most this many notifications and bytes (the newest); past either the client is
// told to refetch its inbox. Under MAX_PENDING_BYTES, so a replay alone never cuts its own stream.
const REPLAY_ROWS = 100;
const REPLAY_BYTES = 256 * 1024;
// A stream ended by the server because a newer one of its user took its place waits this long
// before reconnecting (instead of the usual 3 s): the user's streams must not take turns.
const REPLACED_RETRY_MS = 60_000;
const RECENT_IDS = 1_000;
// A client that stopped reading must not grow our memory: it is dropped and replays on reconnect.
const MAX_PENDING_BYTES = 1 << 20;

interface Replay {
  readonly views: NotificationView[];
  /** Some missed notifications are not in `views`: the client must refetch its inbox. */
  readonly truncated: boolean;
}

/**
 * The newest missed notifications that fit `maxRows` and `maxBytes` (oldest first, as sent).
 * `views` may hold one row more than `maxRows`: that one only says that more were missed.
 */
export function boundReplay(views: readonly NotificationView[], maxRows: number, maxBytes: number): Replay {
  const kept: NotificationView[] = [];
  let bytes = 0;
  for (let i = views.length - 1; i >= 0 && kept.length < maxRows; i--) {
    bytes += Buffer.byteLength(JSON.stringify(views[i])) + 100; // the frame's id and event lines
    if (bytes > maxBytes) break;
    kept.push(views[i]!);
  }
  return { views: kept.reverse(), truncated: kept.length < views.length };
}

export interface SseConnectionDeps {
  /** The SSE response, its head already written. */
  readonly res: ServerResponse;
  readonly unreadCount: () => Promise<{ count: number; unseen: number }>;
  readonly missedSince: (after: StreamPoint) => Promise<Replay>;
  /** The stream's cursor: below it, every notification is visible now (see stream.repository.ts). */
  readonly horizon: () => Promise<string>;
  readonly log: Pick<Logger, 'warn'>;
  readonly heartbeatMs: number;
}

/**
 * One SSE response. Every write goes through one promise chain, so live messages that arrive while
 * the replay runs wait behind it, and unread counts reach the client in the order they were read.
 */
export class SseConnection implements StreamListener {
  private chain: Promise<void> = Promise.resolve();
  private pendingCount: object | null = null;
  // Ids already sent: the replay and live messages overlap, and a retried delivery job republishes.
  private readonly sent = new Set<string>();
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;
  private stopListening: () => void = () => undefined;
  // Event ids carry the cursor, not the notification's place (issue 16, point 8): the client's own
  // resume point while its replay runs (cut off mid-replay, it replays again), then the cursor read
  // before that replay.
  private resume: StreamPoint | null = null;
  private cursor = '0';

  private readonly res: ServerResponse;

  constructor(private readonly deps: SseConnectionDeps) {
    this.res = deps.res;
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), deps.heartbeatMs);
    this.res.on('close', () => this.end());
  }

  start(listening: Listening, after: StreamPoint | null): void {
    this.stopListening = listening.stop;
    if (this.ended) listening.stop();
    this.enqueue(async () => {
      await listening.ready; // a message published from now on reaches us, so the replay misses nothing
      const cursor = await this.deps.horizon(); // before the replay reads
      if (after) {
        this.resume = after;
        const replay = await this.deps.missedSince(after);
        if (replay.truncated) this.write(`event: resync\ndata: ${JSON.stringify({ reason: 'replay-truncated' })}\n\n`);
        for (const view of replay.views) this.sendNotification(view);
        this.resume = null;
      }
      this.cursor = cursor;
    }, true);
    this.queueCount();
  }

  deliver(message: StreamMessage): void {
    if (message.kind === 'notification') {
      this.pendingCount = null; // its count must come after it
      this.enqueue(async () => this.sendNotification(message.notification));
    } else if (message.kind === 'changed') {
      this.pendingCount = null;
      this.enqueue(async () => this.write(`event: notifications-changed\ndata: ${JSON.stringify(message.change)}\n\n`));
    }
    this.queueCount();
  }

  end(reason?: StreamEndReason): void {
    if (this.ended) return;
    this.ended = true;
    // Said before ending: a replaced stream also waits longer before it reconnects.
    if (reason && !this.res.writableEnded) this.res.write(`${reason === 'too-many-streams' ? `retry: ${REPLACED_RETRY_MS}\n` : ''}event: closed\ndata: ${JSON.stringify({ reason })}\n\n`);
    clearInterval(this.heartbeat);
    this.stopListening();
    this.res.end();
  }

  private enqueue(task: () => Promise<void>, endOnFailure = false): void {
    this.chain = this.chain.then(async () => {
      if (this.ended) return;
      try {
        await task();
      } catch (err) {
        this.deps.log.warn({ err: (err as Error).message }, endOnFailure ? 'stream replay failed; the client will reconnect' : 'stream unread count failed');
        if (endOnFailure) this.end();
      }
    });
  }

  /** One count for a burst of changes, unless a notification was queued after the waiting one. */
  private queueCount(): void {
    if (this.pendingCount) return;
    const token = {};
    this.pendingCount = token;
    this.enqueue(async () => {
      if (this.pendingCount === token) this.pendingCount = null;
      const counts = await this.deps.unreadCount();
      this.write(`event: unread-count\ndata: ${JSON.stringify({ count: counts.count, unseen: counts.unseen })}\n\n`);
    });
  }

  private sendNotification(view: NotificationView): void {
    if (this.sent.has(view.id)) return;
    this.sent.add(view.id);
    if (this.sent.size > RECENT_IDS) this.sent.delete(this.sent.values().next().value!);
    const id = this.resume?.kind === 'time' ? legacyEventId(view.createdAt, view.id) : eventId(this.resume?.cursor ?? this.cursor, view.id);
    this.write(`id: ${id}\nevent: notification\ndata: ${JSON.stringify(view)}\n\n`);
  }

  private write(frame: string): void {
    if (this.ended) return;
    this.res.write(frame);
    if (this.res.writableLength > MAX_PENDING_BYTES) this.end();
  }
}

export interface StreamConnectionsDeps {
  readonly stream: Pick<NotificationStream, 'admit' | 'listen'>;
  readonly streams: StreamRepository;
  readonly inbox: Pick<InboxService, 'unreadCounts'>;
  readonly heartbeatMs: number;
}

/**
 * Opens the connection of one stream request: its replay of what a reconnecting client missed
 * (from PostgreSQL), then the user's live messages, each unread count after its change.
 */
export class StreamConnections {
  constructor(private readonly deps: StreamConnectionsDeps) {}

  /** Throws 503 when this process already holds SSE_MAX_CONNECTIONS streams (before the response starts). */
  admit(): void {
    this.deps.stream.admit();
  }

  /**
   * Starts the stream on a response whose head is written. `lastEventId` is the client's resume
   * point as given (the Last-Event-ID header, else ?lastEventId=); one that does not parse replays nothing.
   */
  open(res: ServerResponse, p: { userId: string; sessionId: string; lastEventId: unknown; log: Pick<Logger, 'warn'> }): SseConnection {
    const { userId } = p;
    const connection = new SseConnection({
      res,
      unreadCount: () => this.deps.inbox.unreadCounts(userId),
      missedSince: async (point) => boundReplay((await this.deps.streams.since(userId, point, REPLAY_ROWS + 1)).map(toView), REPLAY_ROWS, REPLAY_BYTES),
      horizon: () => this.deps.streams.horizon(),
      log: p.log,
      heartbeatMs: this.deps.heartbeatMs,
    });
    connection.start(this.deps.stream.listen(userId, connection, p.sessionId), parseEventId(p.lastEventId));
    return connection;
  }
}
