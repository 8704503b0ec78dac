import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pageHelmet, STRICT_PAGE_CSP } from '../platform/http/page-security.js';

const INBOX_DIR = fileURLToPath(new URL('../../web/inbox/', import.meta.url));
const CLIENT_SRC = fileURLToPath(new URL('../../packages/client/src/', import.meta.url));

let bundle: Promise<string> | null = null;

/**
 * web/inbox (React, TSX) and @herald/client bundled from source by esbuild, once per process on
 * first request: there is no build step to forget and no committed bundle to drift from the client.
 */
export function buildInboxBundle(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [`${INBOX_DIR}main.tsx`],
      bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none',
      jsx: 'automatic', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
      plugins: [{
        // The page uses the client package as a frontend would, but from its source.
        name: 'herald-client-source',
        setup(b) {
          b.onResolve({ filter: /^@herald\/client(\/react)?$/ }, (args) => ({ path: `${CLIENT_SRC}${args.path.endsWith('/react') ? 'react' : 'index'}.ts` }));
        },
      }],
    });
    return result.outputFiles[0]!.text;
  })();
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
