import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import type { RouteAccess } from './auth.js';
import { ALLOWED_HEADERS, ALLOWED_METHODS, CROSS_ORIGIN_REFUSED, EXPOSED_HEADERS } from './cors.js';
import { buildOpenApi, type OpenApiDocument } from './openapi.js';
import { pageHelmet, pageRoutes, STRICT_PAGE_CSP } from './page-security.js';
import type { Http } from './zod-provider.js';

const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Swagger UI styles through the CSSOM (allowed by style-src 'self') except for one <style> element
// of its own, allowed by its hash; it draws icons from data: URLs. No script but its files runs.
const SWAGGER_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";
const DOCS_PAGE = pageHelmet({ ...STRICT_PAGE_CSP, 'style-src': ["'self'", SWAGGER_STYLE] });

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>herald API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

// Same-origin "Try it out" requests carry the session cookie, so signing in on / or /admin is enough.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout',
});
`;

const INFO = {
  title: 'herald',
  version: '1',
  description: 'Notifications, digests, analytics, search and job monitoring. Success bodies are `{ success: true, data }` '
    + '(lists add `pagination`), failures `{ success: false, error, details? }`. Sign in with `POST /api/auth/login`: '
    + 'the session cookie, or the returned token as `Authorization: Bearer`. A typed client is `@herald/client` (packages/client).\n\n'
    + '**CORS.** Pages on the origins listed in `CORS_ORIGINS` (and `PUBLIC_URL`\'s) may call the API with credentials: a preflight '
    + `(\`OPTIONS\` with \`Access-Control-Request-Method\`) on any path answers 204 with \`Access-Control-Allow-Origin: <that origin>\` (never \`*\`), `
    + `\`Access-Control-Allow-Credentials: true\`, methods ${ALLOWED_METHODS.join(', ')}, headers ${ALLOWED_HEADERS.join(', ')} and a \`Max-Age\`; `
    + `every answer to such a page, errors and 429s included, carries the same grant and exposes ${EXPOSED_HEADERS.join(', ')}. `
    + `Any other origin gets no grant (its preflight: 403), and a write signed by the session cookie from it answers 403 \`${CROSS_ORIGIN_REFUSED}\`. `
    + 'Bearer-token requests are not subject to that check. An empty body with `Content-Type: application/json` is the same as no body.',
};

/**
 * GET /api/openapi.json (the document, built once from the route table after every route is
 * registered) and GET /api/docs (Swagger UI from the swagger-ui-dist package, no CDN).
 */
export interface DocsRoutesDeps {
  /** The route table, complete once every route is registered (the document is built on first request). */
  readonly routes: readonly RouteAccess[];
}

export function docsRoutes(app: Http, deps: DocsRoutesDeps): void {
  let document: OpenApiDocument | null = null;
  const openapi = () => (document ??= buildOpenApi(deps.routes, INFO));

  app.get('/api/openapi.json', {
    config: { access: 'public', openapi: { summary: 'This OpenAPI 3.1 document', tags: ['docs'], response: z.record(z.string(), z.unknown()).describe('the document') } },
  }, async () => openapi());

  app.get('/api/analytics/openapi.json', {
    config: { access: 'public', openapi: { summary: 'The analytics part of this document', tags: ['docs', 'analytics'], response: z.record(z.string(), z.unknown()) } },
  }, async () => taggedOpenApi(openapi(), 'analytics'));

  pageRoutes(app, (pages) => {
    pages.get('/api/docs', { config: { access: 'public' }, ...DOCS_PAGE }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE));

    pages.get<{ Params: { file: string } }>('/api/docs/:file', { config: { access: 'public' }, ...DOCS_PAGE }, async (request, reply) => {
      const { file } = request.params;
      if (file === 'init.js') return reply.type('text/javascript; charset=utf-8').send(INIT);
      const type = Object.hasOwn(SWAGGER_FILES, file) ? SWAGGER_FILES[file] : undefined;
      if (!type) return reply.callNotFound();
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(await readFile(path.join(SWAGGER_DIR, file)));
    });
  });
}

/** The subset of the document under one tag (e.g. the analytics API, still served at its old address). */
export function taggedOpenApi(document: OpenApiDocument, tag: string): OpenApiDocument {
  const paths = Object.fromEntries(Object.entries(document.paths).flatMap(([p, item]) => {
    const ops = Object.fromEntries(Object.entries(item).filter(([, op]) => op.tags?.includes(tag)));
    return Object.keys(ops).length ? [[p, ops]] : [];
  }));
  return { ...document, paths };
}
