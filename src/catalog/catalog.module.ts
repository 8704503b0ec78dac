import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Module, Platform } from '../platform/module.js';
import type { UsersService } from '../users/users.service.js';
import { AssetsService } from './assets.service.js';
import { visibleEntities, type EntityRefs } from './attribution.js';
import { catalogRoutes, type CatalogServices } from './catalog.routes.js';
import type { Actor } from './catalog.views.js';
import { LicensesService } from './licenses.service.js';
import { ProfilesService } from './profiles.service.js';
import { ProjectsService } from './projects.service.js';

export interface CatalogModuleDeps extends Pick<Platform, 'db'> {
  readonly users: UsersService;
  readonly notifications: NotificationsService;
}

/** Creators, brands, projects, assets and licenses, and who may see or change what. */
export function catalogModule(deps: CatalogModuleDeps) {
  const { db } = deps;
  const catalog: CatalogServices = {
    profiles: new ProfilesService(db, deps.users), projects: new ProjectsService(db),
    assets: new AssetsService(db), licenses: new LicensesService(db, deps.notifications),
  };
  return {
    catalog,
    /** Ports: which of these ids an actor may see, and who owns a creator or brand. */
    visibleEntities: (actor: Actor, ids: EntityRefs) => visibleEntities(db, actor, ids),
    ownerOf: (level: 'creator' | 'brand', id: string) => catalog.profiles.ownerOf(level, id),
    jobs: {},
    routes: (http) => catalogRoutes(http, catalog),
  } satisfies Module & Record<string, unknown>;
}
export type CatalogModule = ReturnType<typeof catalogModule>;
