import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { userCreatedBody } from './users.responses.js';
import { createUserBody } from './users.schemas.js';
import type { UsersService } from './users.service.js';

export interface UsersRoutesDeps {
  readonly users: Pick<UsersService, 'createUser'>;
}

export function usersRoutes(app: Http, deps: UsersRoutesDeps): void {
  app.post('/api/admin/users', { schema: { body: createUserBody }, config: { access: 'admin', openapi: {
    summary: 'Create a user', tags: ['users', 'admin'], response: userCreatedBody, status: 201, errors: { 409: 'Email already in use' },
  } } }, async (request, reply) => {
    const user = await deps.users.createUser(request.body);
    return reply.status(201).send(ok(user));
  });
}
