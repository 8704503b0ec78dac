import type { Http } from '../platform/http/zod-provider.js';
import { serviceHealthBody } from './health.responses.js';
import type { HealthService } from './health.service.js';

export interface HealthRoutesDeps {
  readonly health: HealthService;
}

export function healthRoutes(app: Http, deps: HealthRoutesDeps): void {
  app.get('/api/health', { config: { access: 'public', openapi: { summary: 'PostgreSQL and Redis reachability (503 naming what is down)', tags: ['health'], response: serviceHealthBody } } }, async (_request, reply) => {
    const data = await deps.health.check();
    if (data.status === 'ok') return { success: true, data };
    const down = [data.postgres === 'down' && 'postgres', data.redis === 'down' && 'redis'].filter(Boolean).join(', ');
    return reply.status(503).send({ success: false, error: `Service unavailable: ${down} down`, data });
  });
}
