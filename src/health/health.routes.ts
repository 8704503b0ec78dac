import type { FastifyInstance } from 'fastify';
import { serviceHealthBody } from '../docs/admin.responses.js';
import type { HealthService } from './health.service.js';

export function healthRoutes(app: FastifyInstance, health: HealthService): void {
  app.get('/api/health', { config: { access: 'public', openapi: { summary: 'PostgreSQL and Redis reachability (503 naming what is down)', tags: ['health'], response: serviceHealthBody } } }, async (_request, reply) => {
    const data = await health.check();
    if (data.status === 'ok') return { success: true, data };
    const down = [data.postgres === 'down' && 'postgres', data.redis === 'down' && 'redis'].filter(Boolean).join(', ');
    return reply.status(503).send({ success: false, error: `Service unavailable: ${down} down`, data });
  });
}
