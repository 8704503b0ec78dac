import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import { isAdmin, PUBLIC_ASSET_STATUSES, PUBLIC_PROJECT_STATUSES, type Actor } from './catalog.views.js';

/** Who an event about a catalog entity is attributed to, as the catalog says (never as a client says). */
export interface EntityOwners {
  readonly brandId: string | null;
  readonly creatorId: string | null;
  readonly projectId: string | null;
}

export interface EntityRefs {
  readonly assetIds: readonly string[];
  readonly projectIds: readonly string[];
  readonly licenseIds: readonly string[];
}

/** The entities of `refs` that the actor may see, with their attribution; an id missing from a map is unknown or hidden. */
export interface VisibleEntities {
  readonly assets: ReadonlyMap<string, EntityOwners>;
  readonly projects: ReadonlyMap<string, EntityOwners>;
  readonly licenses: ReadonlyMap<string, EntityOwners & { assetId: string }>;
}

/**
 * Analytics' port into the catalog: the same visibility rules as the catalog's reads (published
 * assets and active/completed projects to everyone, the rest to their owner; licenses to their
 * two parties; everything to admins), three set-based reads whatever the number of ids.
 */
export class AttributionRepository extends Repository {
  async visibleEntities(actor: Actor, refs: EntityRefs): Promise<VisibleEntities> {
    const admin = isAdmin(actor);
    const [assets, projects, licenses] = await Promise.all([
      refs.assetIds.length === 0 ? [] : sql<{ id: string; creator_id: string; project_id: string | null; brand_id: string | null; visible: boolean }>`
        SELECT a.id, a.creator_id, a.project_id, p.brand_id, (${admin} OR c.user_id = ${actor.id} OR a.status::text = ANY(${[...PUBLIC_ASSET_STATUSES]}::text[])) AS visible
        FROM ip_assets a JOIN creators c ON c.id = a.creator_id LEFT JOIN projects p ON p.id = a.project_id
        WHERE a.id = ANY(${[...refs.assetIds]}::uuid[])`.execute(this.db).then((r) => r.rows),
      refs.projectIds.length === 0 ? [] : sql<{ id: string; brand_id: string; visible: boolean }>`
        SELECT p.id, p.brand_id, (${admin} OR b.user_id = ${actor.id} OR p.status::text = ANY(${[...PUBLIC_PROJECT_STATUSES]}::text[])) AS visible
        FROM projects p JOIN brands b ON b.id = p.brand_id WHERE p.id = ANY(${[...refs.projectIds]}::uuid[])`.execute(this.db).then((r) => r.rows),
      refs.licenseIds.length === 0 ? [] : sql<{ id: string; asset_id: string; brand_id: string; creator_id: string; project_id: string | null; visible: boolean }>`
        SELECT l.id, l.asset_id, l.brand_id, a.creator_id, a.project_id, (${admin} OR c.user_id = ${actor.id} OR b.user_id = ${actor.id}) AS visible
        FROM licenses l JOIN ip_assets a ON a.id = l.asset_id JOIN creators c ON c.id = a.creator_id JOIN brands b ON b.id = l.brand_id
        WHERE l.id = ANY(${[...refs.licenseIds]}::uuid[])`.execute(this.db).then((r) => r.rows),
    ]);
    return {
      assets: new Map(assets.filter((r) => r.visible).map((r) => [r.id, { brandId: r.brand_id, creatorId: r.creator_id, projectId: r.project_id }])),
      projects: new Map(projects.filter((r) => r.visible).map((r) => [r.id, { brandId: r.brand_id, creatorId: null, projectId: r.id }])),
      licenses: new Map(licenses.filter((r) => r.visible).map((r) => [r.id, { brandId: r.brand_id, creatorId: r.creator_id, projectId: r.project_id, assetId: r.asset_id }])),
    };
  }
}
