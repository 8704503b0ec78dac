import type { Executor } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { indexInTx } from '../search/index.js';
import type { AssetsRepository, MediaPatch, OwnedAsset } from './assets.repository.js';
import { ASSET_NOT_FOUND, canSeeAsset } from './assets.service.js';
import type { Actor, AssetRow } from './catalog.views.js';

export interface AssetMediaDeps {
  /** Where index jobs are written: the pool, or the caller's transaction after `in(tx)`. */
  readonly db: Executor;
  readonly assets: AssetsRepository;
}

/**
 * The media capability's way to an asset's file fields (storage key, scan status, thumbnail and
 * preview URLs, metadata merge): the catalog keeps its rule that every change of an asset
 * re-indexes it for search, in the same transaction. Built once by the catalog module; a caller
 * working in a transaction takes it over that transaction with `in(tx)`, as with a repository.
 */
export class AssetMedia {
  constructor(private readonly deps: AssetMediaDeps) {}

  in(tx: Executor): AssetMedia {
    return new AssetMedia({ db: tx, assets: this.deps.assets.in(tx) });
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<OwnedAsset | undefined> {
    return this.deps.assets.find(id, options);
  }

  /** The asset if the actor may see it (the catalog's rule); else 404, as the catalog's own reads answer. */
  async visible(actor: Actor, id: string): Promise<OwnedAsset> {
    const asset = isId(id) ? await this.deps.assets.find(id) : undefined;
    if (!asset || !canSeeAsset(actor, asset)) throw new NotFoundError(ASSET_NOT_FOUND);
    return asset;
  }

  /** Saves a media patch (only while the asset still holds `storageKey`, when given); undefined if stale. */
  async save(id: string, patch: MediaPatch, storageKey?: string): Promise<AssetRow | undefined> {
    const row = await this.deps.assets.updateMedia(id, patch, storageKey);
    if (row) await indexInTx(this.deps.db, 'asset', id);
    return row;
  }

  withoutPreview(limit: number, options: { afterId?: string; offset?: number } = {}): Promise<AssetRow[]> {
    return this.deps.assets.withoutPreview(limit, options);
  }

  countWithoutPreview(): Promise<number> {
    return this.deps.assets.countWithoutPreview();
  }

  /** The storage keys these assets hold now. */
  storageKeysOf(ids: readonly string[]): Promise<string[]> {
    return this.deps.assets.storageKeysOf(ids);
  }
}
