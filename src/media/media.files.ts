import { createHash, randomUUID } from 'node:crypto';
import type { Executor } from '../platform/db/client.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import { assetKey } from '../platform/storage/storage.js';
import { THUMBNAIL_WIDTHS, type ThumbnailWidth } from '../previews/index.js';

/**
 * Where an asset's files live and how they are addressed. Every upload gets a folder of its own,
 * `assets/<asset>/<upload>/`, holding `original` and everything made from it: a new upload never
 * overwrites the files an older upload's jobs may still be reading, and the storage key doubles as
 * the upload's identity (the stale-result guard compares it).
 */

export const PREVIEW_FILES = { VIDEO: { name: 'preview.mp4', mime: 'video/mp4' }, AUDIO: { name: 'preview.mp3', mime: 'audio/mpeg' } } as const;
export type PreviewAssetType = keyof typeof PREVIEW_FILES;
export const hasPreview = (type: string): type is PreviewAssetType => type === 'VIDEO' || type === 'AUDIO';
export const hasThumbnail = (type: string) => type === 'IMAGE' || type === 'VIDEO';

export const DEFAULT_THUMBNAIL_WIDTH: ThumbnailWidth = 400;
export const thumbnailName = (width: ThumbnailWidth) => `thumbnail-${width}.webp`;

export function newOriginalKey(assetId: string): string {
  return assetKey(assetId, `${randomUUID()}/original`);
}

/** A file next to an upload's original (`preview.mp4`, `thumbnail-400.webp`). */
export function siblingKey(originalKey: string, name: string): string {
  return `${originalKey.slice(0, originalKey.lastIndexOf('/'))}/${name}`;
}

/** Every file an upload may have: deleting them all is how an upload is removed. */
export function uploadKeys(originalKey: string): string[] {
  return [
    originalKey,
    ...THUMBNAIL_WIDTHS.map((w) => siblingKey(originalKey, thumbnailName(w))),
    ...Object.values(PREVIEW_FILES).map((p) => siblingKey(originalKey, p.name)),
  ];
}

/** Removes an upload's files once the transaction commits (a replaced, infected or deleted upload). */
export function deleteUploadInTx(tx: Executor, originalKey: string): Promise<void> {
  return enqueueInTx(tx, 'media-scan', 'MediaFilesDelete', { keys: uploadKeys(originalKey) });
}

/** A short hash naming one version of a file: the `v` of its URL and its ETag. */
export function fileToken(...parts: ReadonlyArray<string | number | null | undefined>): string {
  return createHash('sha256').update(parts.map((p) => String(p ?? '')).join('|')).digest('hex').slice(0, 16);
}

/**
 * Stable URLs, served with the caller's session (no signature that expires). `v` changes whenever
 * the file does, so a response for the current `v` may be cached for good.
 */
export const thumbnailUrl = (assetId: string, originalKey: string, generatedAt: string) =>
  `/api/assets/${assetId}/thumbnail?v=${fileToken(originalKey, generatedAt)}`;
export const previewUrl = (assetId: string, originalKey: string, generatedAt: string) =>
  `/api/assets/${assetId}/preview?v=${fileToken(originalKey, generatedAt)}`;

/** An uploaded file name as kept in metadata: no control characters or path, at most 255 characters. */
export function cleanFileName(name: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base ? base.slice(0, 255) : null;
}
