import helmet, { type FastifyHelmetRouteOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** A Content-Security-Policy as helmet takes it: directive → sources, in header order. */
export type Csp = Readonly<Record<string, readonly string[]>>;

/** Our own pages render API data; with this policy no slip can run inline or foreign code. */
export const STRICT_PAGE_CSP: Csp = {
  'default-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'style-src': ["'self'"],
  'script-src': ["'self'"],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};

/** The header helmet writes for a policy (directives joined by ";"), for comparisons. */
export const cspHeader = (csp: Csp): string => Object.entries(csp).map(([name, sources]) => `${name} ${sources.join(' ')}`).join(';');

/**
 * Route options giving a page helmet's headers with its own policy. Framing is denied outright and
 * no referrer leaves (unsubscribe links carry a token in their URL).
 */
export function pageHelmet(csp: Csp): FastifyHelmetRouteOptions {
  return {
    helmet: {
      contentSecurityPolicy: { useDefaults: false, directives: csp as Record<string, string[]> },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    },
  };
}

/**
 * Registers page routes in a scope of their own that holds helmet. The JSON API and the media files
 * stay outside it on purpose: helmet's same-origin Cross-Origin-Resource-Policy would stop the
 * platform's frontends (another origin) from showing thumbnails and previews, and its per-request
 * hooks would cost every API call for headers a JSON reply does not need.
 */
export function pageRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    await scope.register(helmet, { global: false });
    routes(scope);
  });
}
