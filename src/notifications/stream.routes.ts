import { z } from 'zod';
import type { Http } from '../platform/http/zod-provider.js';
import { streamDescription } from './notifications.responses.js';
import type { StreamConnections } from './stream.connection.js';

/**
 * Resume point for clients that cannot set the Last-Event-ID header (the header wins). A malformed
 * one (repeated) is no resume point, never a 400: the stream then starts without a replay.
 */
const streamQuery = z.object({ lastEventId: z.string().optional().describe('the id of the last event received').catch(undefined) });

export interface StreamRoutesDeps {
  readonly connections: Pick<StreamConnections, 'admit' | 'open'>;
  readonly heartbeatMs: number;
}

/**
 * GET /api/notifications/stream: Server-Sent Events of the caller's inbox (JOBS.md §1.4). A
 * reconnect with Last-Event-ID (or ?lastEventId=) first replays what it missed from PostgreSQL.
 */
export function streamRoutes(app: Http, deps: StreamRoutesDeps): void {
  const { connections, heartbeatMs } = deps;
  app.get('/api/notifications/stream', { schema: { querystring: streamQuery }, config: { access: 'user', rateLimit: 'notifications.stream', openapi: {
    summary: 'Live inbox (Server-Sent Events)', tags: ['notifications'], contentType: 'text/event-stream',
    response: z.string().describe(streamDescription),
    errors: { 429: 'Too many requests. Please try again later. (opening streams, per user)', 503: 'Service unavailable (this process holds SSE_MAX_CONNECTIONS streams; Retry-After)' },
  } } }, async (request, reply) => {
    connections.admit(); // SSE_MAX_CONNECTIONS; nothing awaits from here to listen(), so the count holds
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
    const connection = connections.open(reply.raw, {
      userId: request.user!.id, sessionId: request.user!.sessionId, lastEventId: request.headers['last-event-id'] ?? request.query.lastEventId, log: request.log,
    });
    if (request.raw.socket.destroyed) connection.end(); // gone while we authenticated
  });
}
