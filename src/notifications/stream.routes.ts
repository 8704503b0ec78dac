import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { streamDescription } from './notifications.responses.js';
import type { Db } from '../platform/db/client.js';
import type { NotificationView } from './notifications.schemas.js';
import { toView, type NotificationsService } from './notifications.service.js';
import { eventId, legacyEventId, parseEventId, StreamRepository, type StreamPoint } from './stream.repository.js';
import type { Listening, NotificationStream, StreamEndReason, StreamListener, StreamMessage } from './stream.service.js';

// A replay sends at most this many notifications and bytes (the newest); past either the client is
// told to refetch its inbox. Under MAX_PENDING_BYTES, so a replay alone never cuts its own stream.
const REPLAY_ROWS = 100;
const REPLAY_BYTES = 256 * 1024;
// A stream ended by the server because a newer one of its user took its place waits this long
// before reconnecting (instead of the usual 3 s): the user's streams must not take turns.
const REPLACED_RETRY_MS = 60_000;
/** Resume point for clients that cannot set the Last-Event-ID header (the header wins). */
const streamQuery = z.object({ lastEventId: z.string().optional().describe('the id of the last event received') });
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

interface ConnectionDeps {
  readonly unreadCount: () => Promise<number>;
  readonly missedSince: (after: StreamPoint) => Promise<Replay>;
  /** The stream's cursor: below it, every notification is visible now (see stream.repository.ts). */
  readonly horizon: () => Promise<string>;
  readonly log: FastifyBaseLogger;
}

/**
 * One SSE response. Every write goes through one promise chain, so live messages that arrive while
 * the replay runs wait behind it, and unread counts reach the client in the order they were read.
 */
class SseConnection implements StreamListener {
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

  constructor(private readonly res: ServerResponse, private readonly deps: ConnectionDeps, heartbeatMs: number) {
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), heartbeatMs);
    res.on('close', () => this.end());
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
      const count = await this.deps.unreadCount();
      this.write(`event: unread-count\ndata: ${JSON.stringify({ count })}\n\n`);
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

/**
 * GET /api/notifications/stream: Server-Sent Events of the caller's inbox (JOBS.md §1.4). A
 * reconnect with Last-Event-ID (or ?lastEventId=) first replays what it missed from PostgreSQL.
 */
export function streamRoutes(app: FastifyInstance, stream: NotificationStream, notifications: NotificationsService, heartbeatMs: number, db: Db): void {
  const repo = new StreamRepository(db);

  app.get('/api/notifications/stream', { config: { access: 'user', rateLimit: 'notifications.stream', openapi: {
    summary: 'Live inbox (Server-Sent Events)', tags: ['notifications'], contentType: 'text/event-stream',
    query: streamQuery, response: z.string().describe(streamDescription),
    errors: { 429: 'Too many requests. Please try again later. (opening streams, per user)', 503: 'Service unavailable (this process holds SSE_MAX_CONNECTIONS streams; Retry-After)' },
  } } }, async (request, reply) => {
    const userId = request.user!.id;
    const header = request.headers['last-event-id'];
    const after = parseEventId(header ?? (request.query as { lastEventId?: unknown }).lastEventId);
    stream.admit(); // SSE_MAX_CONNECTIONS; nothing awaits from here to listen(), so the count holds
    reply.hijack();
    // Heartbeats keep a reading client's socket busy; one whose writes stall this long is dropped.
    request.raw.socket.setTimeout(heartbeatMs * 3);
    // The headers set before the hijack (the CORS grant, rate-limit headers) go out too: without
    // them a frontend on an allowed origin could not read its stream.
    const earlier = Object.fromEntries(Object.entries(reply.getHeaders()).filter(([, v]) => v !== undefined)) as Record<string, string | number | string[]>;
    reply.raw.writeHead(200, {
      ...earlier,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    reply.raw.write('retry: 3000\n\n');
    const connection = new SseConnection(reply.raw, {
      unreadCount: () => notifications.unreadCount(userId),
      missedSince: async (point) => boundReplay((await repo.since(userId, point, REPLAY_ROWS + 1)).map(toView), REPLAY_ROWS, REPLAY_BYTES),
      horizon: () => repo.horizon(),
      log: request.log,
    }, heartbeatMs);
    connection.start(stream.listen(userId, connection, request.user!.sessionId), after);
    if (request.raw.socket.destroyed) connection.end(); // gone while we authenticated
  });
}
