import type { Executor } from '../platform/db/client.js';
import { indexInTx } from '../search/search.enqueue.js';
import { AssetsRepository, type MediaPatch, type OwnedAsset } from './assets.repository.js';
import type { AssetRow } from './catalog.views.js';

/**
 * The media capability's way to an asset's file fields (storage key, scan status, thumbnail and
 * preview URLs, metadata merge): the catalog keeps its rule that every change of an asset
 * re-indexes it for search, in the same transaction. Pass the caller's transaction to `db`.
 */
export class AssetMedia {
  private readonly assets: AssetsRepository;

  constructor(private readonly db: Executor) {
    this.assets = new AssetsRepository(db);
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<OwnedAsset | undefined> {
    return this.assets.find(id, options);
  }

  /** Saves a media patch (only while the asset still holds `storageKey`, when given); undefined if stale. */
  async save(id: string, patch: MediaPatch, storageKey?: string): Promise<AssetRow | undefined> {
    const row = await this.assets.updateMedia(id, patch, storageKey);
    if (row) await indexInTx(this.db, 'asset', id);
    return row;
  }

  withoutPreview(limit: number, options: { afterId?: string; offset?: number } = {}): Promise<AssetRow[]> {
    return this.assets.withoutPreview(limit, options);
  }

  countWithoutPreview(): Promise<number> {
    return this.assets.countWithoutPreview();
  }
}
