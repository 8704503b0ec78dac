import type { FastifyInstance } from 'fastify';

/** The admin dashboard at /admin (static files under web/admin, no CDN). Skeleton. */
export function webRoutes(_app: FastifyInstance): void {}
