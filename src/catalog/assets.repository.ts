import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { AssetStatus, AssetType, ScanStatus } from '../platform/db/schema.js';
import { PUBLIC_ASSET_STATUSES, splitMetadataPatch, type AssetRow } from './catalog.views.js';
import { BUMP } from './profiles.repository.js';

/** An asset with the user who owns it (its creator's user). */
export type OwnedAsset = AssetRow & { owner_user_id: string };

export interface NewAsset {
  id?: string;
  creatorId: string;
  projectId: string | null;
  title: string;
  description?: string;
  type: AssetType;
  tags?: string[];
  status?: AssetStatus;
  metadata?: Record<string, unknown>;
}

export interface AssetPatch {
  title?: string;
  description?: string;
  type?: AssetType;
  tags?: string[];
  projectId?: string | null;
  status?: AssetStatus;
  metadata?: Record<string, unknown>;
}

/** Columns of an asset's file; undefined leaves a column as it is. */
export interface MediaPatch {
  storageKey?: string | null;
  mimeType?: string | null;
  fileSize?: number | null;
  scanStatus?: ScanStatus;
  thumbnailUrl?: string | null;
  previewUrl?: string | null;
  metadata?: Record<string, unknown>;
}

export interface AssetFilter {
  creatorId?: string;
  projectId?: string;
  type?: AssetType;
  status?: AssetStatus;
  tag?: string;
  /** Non-admins: published assets and the viewer's own; undefined sees everything. */
  visibleTo?: string;
}

/** A metadata patch as SQL: merged into the stored object, keys set to null removed. */
function mergedMetadata(patch: Record<string, unknown> | undefined) {
  if (!patch) return undefined;
  const merge = splitMetadataPatch(patch);
  return sql<string>`(coalesce(metadata, '{}'::jsonb) || ${JSON.stringify(merge.set)}::jsonb) - ${merge.remove}::text[]`;
}

const columns = (a: NewAsset) => ({
  id: a.id, creator_id: a.creatorId, project_id: a.projectId, title: a.title, description: a.description, type: a.type,
  tags: a.tags, status: a.status, metadata: a.metadata === undefined ? null : JSON.stringify(a.metadata),
});

export class AssetsRepository extends Repository {
  insert(asset: NewAsset): Promise<AssetRow> {
    return this.db.insertInto('ip_assets').values(columns(asset)).returningAll().executeTakeFirstOrThrow();
  }

  /** One statement for many rows (bulk import, seed); rows come back in the input's order when ids are given. */
  async insertMany(assets: readonly NewAsset[]): Promise<AssetRow[]> {
    if (assets.length === 0) return [];
    const rows = await this.db.insertInto('ip_assets').values(assets.map(columns)).returningAll().execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return assets.every((a) => a.id) ? assets.map((a) => byId.get(a.id!)!) : rows;
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<OwnedAsset | undefined> {
    return this.db.selectFrom('ip_assets').innerJoin('creators', 'creators.id', 'ip_assets.creator_id')
      .selectAll('ip_assets').select('creators.user_id as owner_user_id')
      .where('ip_assets.id', '=', id)
      .$if(options.lock === true, (qb) => qb.forUpdate('ip_assets'))
      .executeTakeFirst();
  }

  async list(filter: AssetFilter, limit: number, offset: number): Promise<{ rows: AssetRow[]; total: number }> {
    const base = this.db.selectFrom('ip_assets').innerJoin('creators', 'creators.id', 'ip_assets.creator_id')
      .$if(filter.creatorId !== undefined, (qb) => qb.where('ip_assets.creator_id', '=', filter.creatorId!))
      .$if(filter.projectId !== undefined, (qb) => qb.where('ip_assets.project_id', '=', filter.projectId!))
      .$if(filter.type !== undefined, (qb) => qb.where('ip_assets.type', '=', filter.type!))
      .$if(filter.status !== undefined, (qb) => qb.where('ip_assets.status', '=', filter.status!))
      .$if(filter.tag !== undefined, (qb) => qb.where(sql<boolean>`ip_assets.tags @> ARRAY[${filter.tag!}]::text[]`))
      .$if(filter.visibleTo !== undefined, (qb) => qb.where((eb) => eb.or([
        eb('ip_assets.status', 'in', PUBLIC_ASSET_STATUSES), eb('creators.user_id', '=', filter.visibleTo!),
      ])));
    const [rows, count] = await Promise.all([
      base.selectAll('ip_assets').orderBy('ip_assets.created_at', 'desc').orderBy('ip_assets.id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  /** `metadata` is merged into the stored object (keys set to null are removed), never replaced. */
  update(id: string, patch: AssetPatch): Promise<AssetRow | undefined> {
    return this.db.updateTable('ip_assets')
      .set({
        title: patch.title, description: patch.description, type: patch.type, tags: patch.tags, project_id: patch.projectId, status: patch.status,
        metadata: mergedMetadata(patch.metadata),
        ...BUMP,
      })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  /**
   * The file columns (uploads and the media pipeline), metadata merged as in update(). With
   * `onlyIfKey`, nothing changes unless the asset still holds that upload: a job's result for a
   * replaced or deleted upload never lands on a newer one.
   */
  updateMedia(id: string, patch: MediaPatch, onlyIfKey?: string): Promise<AssetRow | undefined> {
    return this.db.updateTable('ip_assets')
      .set({
        storage_key: patch.storageKey, mime_type: patch.mimeType, file_size: patch.fileSize, scan_status: patch.scanStatus,
        thumbnail_url: patch.thumbnailUrl, preview_url: patch.previewUrl, metadata: mergedMetadata(patch.metadata), ...BUMP,
      })
      .where('id', '=', id).$if(onlyIfKey !== undefined, (qb) => qb.where('storage_key', '=', onlyIfKey!))
      .returningAll().executeTakeFirst();
  }

  /** Video and audio assets with a clean file but no preview (pending or failed), by id from `afterId`. */
  withoutPreview(limit: number, options: { afterId?: string; offset?: number } = {}): Promise<AssetRow[]> {
    return this.withoutPreviewQuery().selectAll()
      .$if(options.afterId !== undefined, (qb) => qb.where('id', '>', options.afterId!))
      .orderBy('id').limit(limit).offset(options.offset ?? 0).execute();
  }

  async countWithoutPreview(): Promise<number> {
    return Number((await this.withoutPreviewQuery().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }

  private withoutPreviewQuery() {
    return this.db.selectFrom('ip_assets').where('type', 'in', ['VIDEO', 'AUDIO']).where('storage_key', 'is not', null)
      .where('scan_status', '=', 'CLEAN').where('preview_url', 'is', null);
  }

  /** The storage keys these assets hold now (the media sweep keeps their upload folders). */
  async storageKeysOf(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('ip_assets').select('storage_key').where('id', 'in', [...ids]).where('storage_key', 'is not', null).execute();
    return rows.map((r) => r.storage_key!);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('ip_assets').where('id', '=', id).execute();
  }
}
