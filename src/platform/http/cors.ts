import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';

/** The 403 of a cookie-signed write from an origin that is not allowed (docs/API.md, CORS). */
export const CROSS_ORIGIN_REFUSED = 'Forbidden: cross-origin request';

/**
 * Response headers a frontend on another origin must be able to read: without them in
 * Access-Control-Expose-Headers the browser hides them, and the client's rate-limit handling
 * (and its 429 retries) would go blind.
 */
export const EXPOSED_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'] as const;
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Request headers the API reads (besides the CORS-safelisted ones). */
export const ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Request-Id', 'Range', 'If-None-Match', 'If-Range'] as const;

/** Origins whose pages may act for a cookie session: the API's own, PUBLIC_URL's and CORS_ORIGINS. */
export function trustedOrigins(config: Pick<Config, 'publicUrl' | 'http'>): ReadonlySet<string> {
  const origins = new Set(config.http.corsOrigins);
  if (config.publicUrl) origins.add(new URL(config.publicUrl).origin);
  return origins;
}

/**
 * Whether a request's Origin may act with its cookie session. No Origin (a non-browser client, or a
 * browser's same-origin GET) is allowed; `null` (sandboxed frames, file: pages) never is.
 */
export function originAllowed(request: FastifyRequest, trusted: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (trusted.has(origin)) return true;
  return origin === `${request.protocol}://${request.headers.host ?? ''}`;
}

function grant(reply: FastifyReply, origin: string): void {
  // Never `*`: credentials are only honoured for an origin named exactly.
  void reply.header('access-control-allow-origin', origin);
  void reply.header('access-control-allow-credentials', 'true');
  void reply.header('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
}

/**
 * CORS by allow-list (CORS_ORIGINS; PUBLIC_URL counts as allowed). Preflights are answered here for
 * every path, before routing; actual responses — errors and 429s included, since the grant is set
 * before anything can fail — carry the grant for allowed origins only. Unset: same-origin only.
 */
export function registerCors(app: FastifyInstance, config: Pick<Config, 'publicUrl' | 'http'>): void {
  const allowed = trustedOrigins(config);

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (allowed.size > 0) void reply.header('vary', 'Origin');
    if (typeof origin !== 'string' || !allowed.has(origin)) {
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
        // A preflight from an origin not on the list: no grant, so the browser stops there.
        return reply.status(403).send({ success: false, error: CROSS_ORIGIN_REFUSED });
      }
      return;
    }
    grant(reply, origin);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      void reply.header('access-control-allow-methods', ALLOWED_METHODS.join(', '));
      void reply.header('access-control-allow-headers', ALLOWED_HEADERS.join(', '));
      void reply.header('access-control-max-age', String(config.http.corsMaxAgeSeconds));
      return reply.status(204).send();
    }
  });
}
