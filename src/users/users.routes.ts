import type { FastifyInstance } from 'fastify';
import { parseBody } from '../platform/http/validation.js';
import { ok } from '../platform/http/reply.js';
import { createUserBody } from './users.schemas.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(app: FastifyInstance, users: UsersService): void {
  app.post('/api/admin/users', { config: { access: 'admin' } }, async (request, reply) => {
    const user = await users.createUser(parseBody(createUserBody, request.body));
    return reply.status(201).send(ok(user));
  });
}
