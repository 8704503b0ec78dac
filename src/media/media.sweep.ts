import type { AssetMedia } from '../catalog/index.js';
import type { Storage } from '../platform/storage/storage.js';

/**
 * The sweep of stored files no asset references: an API process killed between an upload's write
 * and its commit leaves an original no row names (and a file-removal job that never ran leaves
 * more). Files are listed a page at a time; only those older than the grace period, in an upload
 * folder (`assets/<asset>/<upload>/…`) that is not the folder of its asset's current upload, go.
 * The grace covers uploads in flight: their file is written before the row that names it commits.
 */

const PAGE = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `assets/<asset>/<upload>/<name>` → its asset and upload folder; null for any other key (left alone). */
export function uploadFolderOf(key: string): { assetId: string; folder: string } | null {
  const parts = key.split('/');
  if (parts.length !== 4 || parts[0] !== 'assets' || !UUID.test(parts[1]!)) return null;
  return { assetId: parts[1]!, folder: parts.slice(0, 3).join('/') };
}

/** The folder of a stored original (`assets/<asset>/<upload>/original` → `assets/<asset>/<upload>`). */
export const folderOfOriginal = (storageKey: string) => storageKey.slice(0, storageKey.lastIndexOf('/'));

export interface StorageSweep {
  readonly scanned: number;
  readonly removed: number;
}

/** Removes unreferenced files older than graceMs; returns how many were looked at and removed. */
export interface StorageSweepDeps {
  readonly assets: Pick<AssetMedia, 'storageKeysOf'>;
  readonly storage: Storage;
  readonly graceMs: number;
}

export async function sweepStorage(deps: StorageSweepDeps, now = Date.now()): Promise<StorageSweep> {
  const cutoff = now - deps.graceMs;
  let scanned = 0;
  let removed = 0;
  let page: Array<{ key: string; assetId: string; folder: string }> = [];
  const flush = async () => {
    if (page.length === 0) return;
    const assetIds = [...new Set(page.map((f) => f.assetId))];
    // Read after the listing: a row committed since then names a folder whose files are all young.
    const live = new Set((await deps.assets.storageKeysOf(assetIds)).map(folderOfOriginal));
    for (const file of page) {
      if (live.has(file.folder)) continue;
      await deps.storage.delete(file.key);
      removed++;
    }
    page = [];
  };
  for await (const object of deps.storage.list('assets/')) {
    scanned++;
    if (object.modifiedAt.getTime() > cutoff) continue;
    const upload = uploadFolderOf(object.key);
    if (!upload) continue;
    page.push({ key: object.key, ...upload });
    if (page.length >= PAGE) await flush();
  }
  await flush();
  return { scanned, removed };
}
