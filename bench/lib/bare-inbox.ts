import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { inboxPageStatement, unreadCountStatement } from '../../src/notifications/inbox.repository.js';

/**
 * The baseline of issue 21: what the plain inbox reads cost with nothing around them. A bare
 * `node:http` server and a `pg` pool of the service's size run the very statements the service
 * runs (the same named prepared statements, built by inbox.repository.ts) for the same users,
 * picked by the same bearer tokens the load sends the service (a Map lookup: no session, no
 * validation, no rate limit, no framework), and answer the rows as pg parsed them with
 * JSON.stringify. The service's ratio to it is what everything but the query costs.
 */

const PAGE = 20;

export interface BareInbox {
  readonly url: string;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** Serves GET /api/notifications (page 1 of 20) and GET /api/notifications/unread-count. */
export async function startBareInbox(databaseUrl: string, poolSize: number, userOfToken: ReadonlyMap<string, string>): Promise<BareInbox> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, application_name: 'herald-bench-bare' });
  pool.on('error', () => undefined);
  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const auth = req.headers.authorization;
    const userId = auth?.startsWith('Bearer ') ? userOfToken.get(auth.slice(7)) : undefined;
    if (!userId) return send(res, 401, '{"success":false,"error":"Unauthorized"}');
    const path = req.url?.split('?', 1)[0];
    if (path === '/api/notifications') {
      const { rows } = await pool.query<{ id: string | null; total: number }>(inboxPageStatement({ userId }, PAGE, 0));
      const total = rows[0]?.total ?? 0;
      const data = rows.filter((r) => r.id !== null);
      return send(res, 200, JSON.stringify({ success: true, data, pagination: { page: 1, pageSize: PAGE, total, totalPages: Math.ceil(total / PAGE) } }));
    }
    if (path === '/api/notifications/unread-count') {
      const { rows } = await pool.query<{ n: number; unseen: number }>(unreadCountStatement(userId));
      return send(res, 200, JSON.stringify({ success: true, data: { count: rows[0]?.n ?? 0, unseen: rows[0]?.unseen ?? 0 } }));
    }
    return send(res, 404, '{"success":false,"error":"Not found"}');
  };
  const server = http.createServer((req, res) => {
    serve(req, res).catch(() => send(res, 500, '{"success":false,"error":"Internal server error"}'));
  });
  server.keepAliveTimeout = 72_000; // Fastify's default, so connections live alike
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pool,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
