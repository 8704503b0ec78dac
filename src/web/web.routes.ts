import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { Http } from '../platform/http/zod-provider.js';
import { cspHeader, pageHelmet, pageRoutes, STRICT_PAGE_CSP } from '../platform/http/page-security.js';
import { inboxRoutes } from './inbox.routes.js';

/** web/admin at the repository root, wherever the process was started from. */
export const ADMIN_WEB_DIR = fileURLToPath(new URL('../../web/admin/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// The page builds its DOM from API data; a strict policy keeps any slip from running code.
export const ADMIN_CSP = cspHeader(STRICT_PAGE_CSP);

/** Plain names only: no separators, no leading dot, so nothing outside web/admin can be named. */
const SAFE_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)+$/i;

async function sendFile(reply: FastifyReply, name: string): Promise<FastifyReply> {
  const type = CONTENT_TYPES[path.extname(name).toLowerCase()];
  const file = path.resolve(ADMIN_WEB_DIR, name);
  const inside = SAFE_NAME.test(name) && path.dirname(file) === path.resolve(ADMIN_WEB_DIR);
  const body = type && inside ? await readFile(file).catch(() => null) : null;
  if (!type || !body) {
    reply.callNotFound();
    return reply;
  }
  return reply.header('content-type', type).header('cache-control', 'no-cache').send(body);
}

/** The admin dashboard at /admin: static files under web/admin (no build step, no CDN). */
export function webRoutes(app: Http): void {
  const config = { config: { access: 'public' as const }, ...pageHelmet(STRICT_PAGE_CSP) };
  pageRoutes(app, (pages) => {
    pages.get('/admin', config, (_request, reply) => sendFile(reply, 'index.html'));
    pages.get('/admin/', config, (_request, reply) => sendFile(reply, 'index.html'));
    pages.get<{ Params: { file: string } }>('/admin/:file', config, (request, reply) => sendFile(reply, request.params.file));
    inboxRoutes(pages);
  });
}
