import { randomUUID } from 'node:crypto';
import type { Db, Executor } from '../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { indexInTx, indexManyInTx } from '../search/index.js';
import type { AssetsRepository, OwnedAsset } from './assets.repository.js';
import { actingCreator } from './catalog.owners.js';
import type { CreateAssetInput, ListAssetsQuery, UpdateAssetInput } from './catalog.schemas.js';
import { assetView, isAdmin, offsetOf, PUBLIC_ASSET_STATUSES, type Actor, type AssetView, type CreatorRow, type Page } from './catalog.views.js';
import type { ProfilesRepository } from './profiles.repository.js';
import type { ProjectsRepository } from './projects.repository.js';
import { canSeeProject, PROJECT_NOT_FOUND } from './projects.service.js';

export const ASSET_NOT_FOUND = 'Asset not found';
const CREATE_WHAT = 'create assets';

/** Drafts and archived assets are seen only by their creator and admins; published ones by everyone. */
export const canSeeAsset = (actor: Actor, asset: OwnedAsset) =>
  isAdmin(actor) || asset.owner_user_id === actor.id || PUBLIC_ASSET_STATUSES.includes(asset.status);

/**
 * IP assets: made by a creator (the caller's profile, or any for admins), optionally in a
 * project the caller can see. Storage, scan and preview fields belong to the media jobs.
 */
export interface AssetsServiceDeps {
  readonly db: Db;
  readonly assets: AssetsRepository;
  readonly profiles: ProfilesRepository;
  readonly projects: ProjectsRepository;
}

export class AssetsService {
  constructor(private readonly deps: AssetsServiceDeps) {}

  async create(actor: Actor, input: CreateAssetInput): Promise<AssetView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const creator = await actingCreator(this.deps.profiles.in(tx), actor, input.creatorId, CREATE_WHAT);
      if (input.projectId !== undefined) await this.usableProjects(tx, actor, [input.projectId], () => undefined);
      const row = await this.deps.assets.in(tx).insert({ ...input, creatorId: creator.id, projectId: input.projectId ?? null });
      await indexInTx(tx, 'asset', row.id);
      return assetView(row);
    });
  }

  /**
   * Many assets in one transaction and one INSERT; the search index gets them as bulk jobs. All
   * or nothing: one unusable reference fails the whole import (with the item's path in details).
   */
  async createMany(actor: Actor, items: readonly CreateAssetInput[]): Promise<AssetView[]> {
    return this.deps.db.transaction().execute(async (tx) => {
      const profiles = this.deps.profiles.in(tx);
      const creators = new Map<string | undefined, CreatorRow>();
      for (const given of new Set(items.map((a) => a.creatorId))) creators.set(given, await actingCreator(profiles, actor, given, CREATE_WHAT));
      const projectIds = items.map((a) => a.projectId);
      await this.usableProjects(tx, actor, projectIds, (i) => [{ code: 'not_found', path: ['assets', i, 'projectId'], message: PROJECT_NOT_FOUND }]);
      const rows = await this.deps.assets.in(tx).insertMany(items.map((a) => ({
        ...a, id: randomUUID(), creatorId: creators.get(a.creatorId)!.id, projectId: a.projectId ?? null,
      })));
      await indexManyInTx(tx, 'asset', rows.map((r) => r.id));
      return rows.map(assetView);
    });
  }

  async get(actor: Actor, id: string): Promise<AssetView> {
    return assetView(await this.visible(this.deps.assets, actor, id));
  }

  async list(actor: Actor, query: ListAssetsQuery): Promise<Page<AssetView>> {
    if ([query.creatorId, query.projectId].some((v) => v !== undefined && !isId(v))) return { items: [], total: 0 };
    const { rows, total } = await this.deps.assets.list({
      creatorId: query.creatorId, projectId: query.projectId, type: query.type, status: query.status, tag: query.tag,
      visibleTo: isAdmin(actor) ? undefined : actor.id,
    }, query.pageSize, offsetOf(query));
    return { items: rows.map(assetView), total };
  }

  async update(actor: Actor, id: string, patch: UpdateAssetInput): Promise<AssetView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const assets = this.deps.assets.in(tx);
      await this.owned(assets, actor, id);
      if (patch.projectId) await this.usableProjects(tx, actor, [patch.projectId], () => undefined);
      const row = (await assets.update(id, patch))!;
      await indexInTx(tx, 'asset', id);
      return assetView(row);
    });
  }

  /**
   * Its licenses go with it (cascade); their documents follow the asset's. Its files are deleted by
   * a job the row's deletion writes to the outbox (migration 0014's trigger, as for every cascade).
   */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const assets = this.deps.assets.in(tx);
      await this.owned(assets, actor, id);
      await assets.delete(id);
      await indexInTx(tx, 'asset', id);
    });
  }

  /** Every referenced project must exist and be visible to the caller; else 404 (details from `detailsOf`). */
  private async usableProjects(tx: Executor, actor: Actor, ids: ReadonlyArray<string | undefined>, detailsOf: (index: number) => unknown): Promise<void> {
    const wanted = [...new Set(ids.filter((v): v is string => v !== undefined))];
    const found = await this.deps.projects.in(tx).findMany(wanted.filter(isId));
    const usable = new Set(found.filter((p) => canSeeProject(actor, p)).map((p) => p.id));
    const bad = ids.findIndex((v) => v !== undefined && !usable.has(v));
    if (bad >= 0) throw new AppError(404, PROJECT_NOT_FOUND, detailsOf(bad));
  }

  private async visible(assets: AssetsRepository, actor: Actor, id: string, lock = false): Promise<OwnedAsset> {
    const row = isId(id) ? await assets.find(id, { lock }) : undefined;
    if (!row || !canSeeAsset(actor, row)) throw new NotFoundError(ASSET_NOT_FOUND);
    return row;
  }

  private async owned(assets: AssetsRepository, actor: Actor, id: string): Promise<OwnedAsset> {
    const row = await this.visible(assets, actor, id, true);
    if (row.owner_user_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError();
    return row;
  }
}
