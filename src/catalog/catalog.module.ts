import type { Notify } from '../notifications/index.js';
import type { Module, Platform } from '../platform/module.js';
import type { UserLookup } from '../users/index.js';
import { AssetMedia } from './asset-media.js';
import { AssetsRepository } from './assets.repository.js';
import { AssetsService } from './assets.service.js';
import { AttributionRepository, type EntityRefs } from './attribution.repository.js';
import { catalogRoutes, type CatalogRoutesDeps } from './catalog.routes.js';
import type { Actor } from './catalog.views.js';
import { LicensesRepository } from './licenses.repository.js';
import { LicensesService } from './licenses.service.js';
import { ProfilesRepository } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';
import { ProjectsRepository } from './projects.repository.js';
import { ProjectsService } from './projects.service.js';

export interface CatalogModuleDeps extends Pick<Platform, 'db'> {
  readonly users: UserLookup;
  readonly notifications: Notify;
}

/** Creators, brands, projects, assets and licenses, and who may see or change what. */
export function catalogModule(deps: CatalogModuleDeps) {
  const { db } = deps;
  const profiles = new ProfilesRepository(db);
  const projects = new ProjectsRepository(db);
  const assets = new AssetsRepository(db);
  const licenses = new LicensesRepository(db);
  const attribution = new AttributionRepository(db);
  const catalog: CatalogRoutesDeps = {
    profiles: new ProfilesService({ db, profiles, projects, users: deps.users }),
    projects: new ProjectsService({ db, projects, profiles }),
    assets: new AssetsService({ db, assets, profiles, projects }),
    licenses: new LicensesService({ db, licenses, assets, profiles, notifications: deps.notifications }),
  };
  return {
    catalog,
    /** Port to media: an asset's file fields, re-indexed for search with every change. */
    assetMedia: new AssetMedia({ db, assets }),
    /** Ports to analytics: which of these ids an actor may see, and who owns a creator or brand. */
    visibleEntities: (actor: Actor, ids: EntityRefs) => attribution.visibleEntities(actor, ids),
    ownerOf: (level: 'creator' | 'brand', id: string) => catalog.profiles.ownerOf(level, id),
    jobs: {},
    routes: (http) => catalogRoutes(http, catalog),
  } satisfies Module & Record<string, unknown>;
}
export type CatalogModule = ReturnType<typeof catalogModule>;
