import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pageHelmet, STRICT_PAGE_CSP } from '../platform/http/page-security.js';
import { bundleInbox, INBOX_DIR, PREBUILT_INBOX_BUNDLE } from './inbox.bundle.js';

let bundle: Promise<string> | null = null;

/**
 * The inbox page's script, once per process: the bundle `npm run build` made when running from
 * dist/, else built from source with esbuild on first request (no build step to forget from src/).
 */
export function buildInboxBundle(): Promise<string> {
  bundle ??= readFile(PREBUILT_INBOX_BUNDLE, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
    return bundleInbox();
  });
  bundle.catch(() => (bundle = null)); // a failed build is retried on the next request
  return bundle;
}

const html = (reply: FastifyReply, body: Buffer) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);

/**
 * The notification inbox at / (sign in, live bell, list, preferences), built with @herald/client.
 * Registered by webRoutes inside the page scope that holds helmet.
 */
export function inboxRoutes(app: FastifyInstance): void {
  // Same policy as the admin dashboard: the page renders API data, so nothing inline may run.
  const config = { config: { access: 'public' as const }, ...pageHelmet(STRICT_PAGE_CSP) };
  app.get('/', config, async (_request, reply) => html(reply, await readFile(`${INBOX_DIR}index.html`)));
  app.get<{ Params: { file: string } }>('/inbox/:file', config, async (request, reply) => {
    switch (request.params.file) {
      case 'app.js':
        return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await buildInboxBundle());
      case 'inbox.css':
        return reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(await readFile(`${INBOX_DIR}inbox.css`));
      default:
        return reply.callNotFound();
    }
  });
}
