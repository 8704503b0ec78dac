// The public surface of users (the dependency rule, docs/ARCHITECTURE.md).
export { usersModule, usersService, type UsersModule, type UsersModuleDeps } from './users.module.js';
export type { Credentials, UsersService } from './users.service.js';
export { createUserBody, emailSchema, passwordSchema, type CreateUserInput, type PublicUser } from './users.schemas.js';
export { roleSchema, userSchema } from './users.responses.js';
import type { UsersService } from './users.service.js';

/** The port other capabilities use to look a user up by id. */
export type UserLookup = Pick<UsersService, 'getUser'>;
