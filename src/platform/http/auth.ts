import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { z } from 'zod';
import type { Config, RateLimitName } from '../../config.js';
import type { Role } from '../db/schema.js';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../errors.js';
import { sameSecret } from '../secret.js';
import { CROSS_ORIGIN_REFUSED, originAllowed, trustedOrigins } from './cors.js';
import { rateLimitHeaders, type RateLimiter } from './rate-limit.js';
import type { RouteDoc, RouteDocument } from './route-doc.js';

export const SESSION_COOKIE = 'herald_session';
export const ADMIN_REQUIRED = 'Forbidden: Admin access required';

export interface AuthUser {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: Role;
  readonly sessionId: string;
}

/** Who may call a route: nobody needs to sign in, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    rateLimit?: RateLimitName;
    /**
     * An admin route that MONITORING_TOKEN may read too (read-only health views): a health
     * check's credential that is not an admin session, and grants no other route.
     */
    monitoring?: boolean;
    /** The route's OpenAPI description (platform/http/openapi.ts); required of every JSON route. */
    openapi?: RouteDoc;
  }
  interface FastifyRequest {
    user: AuthUser | null;
    sessionToken: string | null;
    authVia: 'cookie' | 'bearer' | null;
  }
}

export type Authenticate = (token: string) => Promise<AuthUser | null>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function tokenFrom(request: FastifyRequest): { token: string; via: 'cookie' | 'bearer' } | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    const token = header.replace(/^bearer\s+/i, '').trim();
    return token ? { token, via: 'bearer' } : null;
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : null;
}


/**
 * The route's document with its request schemas, which the route states once, in `schema`: the
 * very objects Fastify validates with (platform/http/zod-provider.ts).
 */
function documented(doc: RouteDoc | undefined, schema: FastifySchema | undefined): RouteDocument | undefined {
  if (!doc || !schema) return doc;
  const { params, querystring, body } = schema as { params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType };
  return { ...doc, params, query: querystring, ...(body ? { body } : {}) };
}

/** One row of the route table: who may call it (undefined: the route declared no rule). */
export interface RouteAccess {
  readonly method: string;
  readonly url: string;
  readonly access: Access | undefined;
  readonly rateLimit: RateLimitName | undefined;
  /** MONITORING_TOKEN may call it (an admin route's read-only health view). */
  readonly monitoring: boolean;
  readonly openapi: RouteDocument | undefined;
}

/**
 * Authentication, roles, CSRF and per-user rate limits for every route, read from the route's
 * config; routes themselves stay free of these checks. Returns the route table as routes are
 * registered, so tests can check every route against its rule.
 */
export function registerAccessControl(app: FastifyInstance, deps: {
  authenticate: Authenticate; limiter: RateLimiter; config: Config;
}): RouteAccess[] {
  const table: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue; // Fastify's automatic twin of each GET
      table.push({
        method, url: route.url, access: route.config?.access, rateLimit: route.config?.rateLimit, monitoring: route.config?.monitoring === true,
        openapi: documented(route.config?.openapi, route.schema),
      });
    }
  });
  const trusted = trustedOrigins(deps.config);
  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('authVia', null);

  const monitoringToken = deps.config.monitoringToken;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const { access = 'public', rateLimit, monitoring = false } = request.routeOptions.config ?? {};
    const credentials = tokenFrom(request);
    // The monitoring token is no session: on any route but a monitoring one it is no credential
    // at all (401 where one is needed), and it is never looked up as a session.
    const monitor = credentials?.via === 'bearer' && monitoringToken !== undefined && sameSecret(credentials.token, monitoringToken);
    if (monitor && monitoring) {
      await limit(rateLimit, 'monitoring-token', reply);
      return;
    }
    if (credentials && !monitor) {
      request.user = await deps.authenticate(credentials.token);
      if (request.user) {
        request.sessionToken = credentials.token;
        request.authVia = credentials.via;
      }
    }
    // Browsers send Origin on cross-site writes; a cookie session acts only for the allowed origins.
    // Reads too when they name a foreign Origin (a CORS GET, an EventSource): the page could not
    // read the answer, but serving it would still open streams that evict the user's own and use
    // up the user's rate limits. Same-origin GETs and navigations send no Origin. Public routes
    // too: a signed-in cookie acts there as well (analytics ingestion, sign-in over a session).
    const crossOrigin = request.authVia === 'cookie' && (!SAFE_METHODS.has(request.method) || request.headers.origin !== undefined) && !originAllowed(request, trusted);
    if (access === 'public') {
      if (crossOrigin) throw new ForbiddenError(CROSS_ORIGIN_REFUSED);
      return;
    }
    if (!request.user) throw new UnauthorizedError();
    if (access === 'admin' && request.user.role !== 'ADMIN') throw new ForbiddenError(ADMIN_REQUIRED);
    if (crossOrigin) throw new ForbiddenError(CROSS_ORIGIN_REFUSED);
    await limit(rateLimit, request.user.id, reply);
  });

  /** The route's per-user limit; the monitoring token counts as one user of its own. */
  async function limit(name: RateLimitName | undefined, who: string, reply: FastifyReply): Promise<void> {
    if (!name || !deps.config.rateLimits.enabled) return;
    const result = await deps.limiter.hit(name, who, deps.config.rateLimits.perMinute[name]);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) throw new RateLimitedError({ ...headers, 'retry-after': result.retryAfter });
    void reply.headers(headers);
  }
  return table;
}
