import type { Module, Platform } from '../platform/module.js';
import { healthRoutes } from './health.routes.js';
import { HealthService } from './health.service.js';

/** GET /api/health: PostgreSQL and Redis, as the contract reports them. */
export function healthModule(deps: Pick<Platform, 'db' | 'redis'>) {
  const health = new HealthService(deps.db, deps.redis);
  return { health, jobs: {}, routes: (http) => healthRoutes(http, health) } satisfies Module & Record<string, unknown>;
}
export type HealthModule = ReturnType<typeof healthModule>;
