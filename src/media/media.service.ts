import type { Readable } from 'node:stream';
import { ASSET_NOT_FOUND, assetView, isAdmin, type Actor, type AssetMedia, type AssetView, type OwnedAsset } from '../catalog/index.js';
import type { Db } from '../platform/db/client.js';
import { AppError, InvalidError, NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { ByteRange, Storage } from '../platform/storage/storage.js';
import { sniffStream, type ThumbnailWidth } from '../previews/index.js';
import { cleanFileName, deleteUploadInTx, fileToken, hasPreview, newOriginalKey, PREVIEW_FILES, siblingKey, thumbnailName } from './media.files.js';

export const FILE_NOT_FOUND = 'File not found';

/** What GET …/file|thumbnail|preview sends: the object, its type, validator and URL version. */
export interface ServedFile {
  readonly key: string;
  readonly contentType: string;
  /** The token a current URL carries as `?v=`. */
  readonly version: string;
  readonly etag: string;
  /** Originals are downloads; previews and thumbnails are shown inline. */
  readonly fileName?: string | null;
}

type Meta = Record<string, unknown>;
const meta = (asset: OwnedAsset): Meta => (asset.metadata as Meta | null) ?? {};
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * Uploads (streamed to storage, typed by their bytes) and the files served from an asset. Storing
 * the file, pointing the asset at it and starting its pipeline commit together; the files of the
 * upload it replaces are deleted by a job of the same transaction.
 */
export interface MediaServiceDeps {
  readonly db: Db;
  readonly assets: AssetMedia;
  readonly storage: Storage;
  readonly uploadMaxBytes: number;
}

export class MediaService {
  constructor(private readonly deps: MediaServiceDeps) {}

  get uploadMaxBytes(): number {
    return this.deps.uploadMaxBytes;
  }

  /** The caller's own asset (admins: any). Another user's asset is "not found", as the contract says. */
  async uploadTarget(actor: Actor, id: string): Promise<OwnedAsset> {
    const asset = isId(id) ? await this.deps.assets.find(id) : undefined;
    if (!asset || (asset.owner_user_id !== actor.id && !isAdmin(actor))) throw new NotFoundError(ASSET_NOT_FOUND);
    return asset;
  }

  async upload(actor: Actor, asset: OwnedAsset, body: Readable, fileName: string | undefined): Promise<AssetView> {
    const { sniffed, stream } = await sniffStream(body);
    if (sniffed.mime === 'application/x-empty') {
      stream.destroy();
      throw new InvalidError('The file is empty (0 bytes).');
    }
    if (sniffed.assetType !== asset.type) {
      stream.destroy();
      const what = sniffed.mime === 'text/plain' ? 'text (a script or document)' : sniffed.mime;
      throw new AppError(415, `The file's content is ${what}, not a ${asset.type} file. Its name is not trusted: the type comes from its bytes.`, {
        detectedMimeType: sniffed.mime, detectedType: sniffed.assetType, assetType: asset.type,
      });
    }
    const key = newOriginalKey(asset.id);
    const { size } = await this.deps.storage.put(key, stream, { maxBytes: this.deps.uploadMaxBytes, contentType: sniffed.mime });
    try {
      return await this.deps.db.transaction().execute(async (tx) => {
        const assets = this.deps.assets.in(tx);
        const current = await assets.find(asset.id, { lock: true });
        if (!current) throw new NotFoundError(ASSET_NOT_FOUND);
        const row = (await assets.save(asset.id, {
          storageKey: key, mimeType: sniffed.mime, fileSize: size, scanStatus: 'PENDING', thumbnailUrl: null, previewUrl: null,
          metadata: {
            ...(hasPreview(asset.type) ? { previewGenerated: false } : { previewGenerated: null }),
            previewGeneratedAt: null, previewSize: null, previewDuration: null, previewError: null, previewLastAttempt: null,
            thumbnailGeneratedAt: null, thumbnailError: null, scanResult: null,
            upload: { fileName: cleanFileName(fileName), size, mimeType: sniffed.mime, uploadedBy: actor.id, uploadedAt: new Date().toISOString() },
          },
        }))!;
        await enqueueInTx(tx, 'media-scan', 'MediaScan', { assetId: asset.id, storageKey: key, uploadedBy: actor.id });
        if (current.storage_key) await deleteUploadInTx(tx, current.storage_key);
        return assetView(row);
      });
    } catch (err) {
      await this.deps.storage.delete(key).catch(() => undefined);
      throw err;
    }
  }

  /** The uploaded file itself: its owner and admins only (others get 404, the file is not theirs). */
  async original(actor: Actor, id: string): Promise<ServedFile> {
    const asset = await this.visible(actor, id);
    if (!asset.storage_key || (asset.owner_user_id !== actor.id && !isAdmin(actor))) throw new NotFoundError(FILE_NOT_FOUND);
    const version = fileToken(asset.storage_key);
    const upload = meta(asset).upload as Meta | undefined;
    return { key: asset.storage_key, contentType: asset.mime_type ?? 'application/octet-stream', version, etag: `"${version}"`, fileName: str(upload?.fileName) };
  }

  async thumbnail(actor: Actor, id: string, width: ThumbnailWidth): Promise<ServedFile> {
    const asset = await this.visible(actor, id);
    const at = str(meta(asset).thumbnailGeneratedAt);
    if (!asset.storage_key || !asset.thumbnail_url || !at) throw new NotFoundError(FILE_NOT_FOUND);
    const version = fileToken(asset.storage_key, at);
    return { key: siblingKey(asset.storage_key, thumbnailName(width)), contentType: 'image/webp', version, etag: `"${version}-${width}"` };
  }

  async preview(actor: Actor, id: string): Promise<ServedFile> {
    const asset = await this.visible(actor, id);
    const at = str(meta(asset).previewGeneratedAt);
    if (!asset.storage_key || !asset.preview_url || !at || !hasPreview(asset.type)) throw new NotFoundError(FILE_NOT_FOUND);
    const version = fileToken(asset.storage_key, at);
    const file = PREVIEW_FILES[asset.type];
    return { key: siblingKey(asset.storage_key, file.name), contentType: file.mime, version, etag: `"${version}"` };
  }

  /** A served file's size; 404 when its object is gone (removed since the asset was read). */
  async size(file: ServedFile): Promise<number> {
    const stat = await this.deps.storage.stat(file.key);
    if (!stat) throw new NotFoundError(FILE_NOT_FOUND);
    return stat.size;
  }

  /** A served file's bytes, all or one range of them. */
  read(file: ServedFile, range?: ByteRange): Promise<Readable> {
    return this.deps.storage.get(file.key, range);
  }

  /** The catalog's visibility rule (404 for an asset the caller may not see). */
  private visible(actor: Actor, id: string): Promise<OwnedAsset> {
    return this.deps.assets.visible(actor, id);
  }
}
