import type { Module, Platform } from '../platform/module.js';
import { HealthRepository } from './health.repository.js';
import { healthRoutes } from './health.routes.js';
import { HealthService } from './health.service.js';

export type HealthModuleDeps = Pick<Platform, 'db' | 'redis'>;

/** GET /api/health: PostgreSQL and Redis, as the contract reports them. */
export function healthModule(deps: HealthModuleDeps) {
  const health = new HealthService({ database: new HealthRepository(deps.db), redis: deps.redis });
  return { health, jobs: {}, routes: (http) => healthRoutes(http, { health }) } satisfies Module & Record<string, unknown>;
}
export type HealthModule = ReturnType<typeof healthModule>;
