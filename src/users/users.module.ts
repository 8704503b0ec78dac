import type { Module, Platform } from '../platform/module.js';
import { UsersRepository } from './users.repository.js';
import { usersRoutes } from './users.routes.js';
import { UsersService } from './users.service.js';

export interface UsersModuleDeps extends Pick<Platform, 'db' | 'config' | 'log'> {
  /** Where the line saying which file holds a generated first-admin password goes (stdout by default). */
  readonly print: (line: string) => void;
}

/** The users service over a database alone: the module's, and the CLI's (`herald users create`). */
export function usersService(deps: Pick<Platform, 'db'>): UsersService {
  return new UsersService({ users: new UsersRepository(deps.db) });
}

/** Users and the first admin (created when the API starts on an empty database). */
export function usersModule(deps: UsersModuleDeps) {
  const users = usersService(deps);
  return {
    users,
    jobs: {},
    routes: (http) => usersRoutes(http, { users }),
    start: () => users.ensureFirstAdmin(deps.config, deps.log, deps.print),
  } satisfies Module & Record<string, unknown>;
}
export type UsersModule = ReturnType<typeof usersModule>;
