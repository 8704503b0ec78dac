// The public surface of users (the dependency rule, docs/ARCHITECTURE.md).
export { usersModule, type UsersModule, type UsersModuleDeps } from './users.module.js';
export type { UsersService } from './users.service.js';
export type { PublicUser } from './users.schemas.js';
import type { UsersService } from './users.service.js';

/** The port other capabilities use to look a user up by id. */
export type UserLookup = Pick<UsersService, 'getUser'>;
