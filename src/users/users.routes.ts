import type { FastifyInstance } from 'fastify';
import { parseBody } from '../platform/http/validation.js';
import { ok } from '../platform/http/reply.js';
import { userCreatedBody } from '../docs/notifications.responses.js';
import { createUserBody } from './users.schemas.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(app: FastifyInstance, users: UsersService): void {
  app.post('/api/admin/users', { config: { access: 'admin', openapi: {
    summary: 'Create a user', tags: ['users', 'admin'], body: createUserBody, response: userCreatedBody, status: 201, errors: { 409: 'Email already in use' },
  } } }, async (request, reply) => {
    const user = await users.createUser(parseBody(createUserBody, request.body));
    return reply.status(201).send(ok(user));
  });
}
