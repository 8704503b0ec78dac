import { Readable } from 'node:stream';
import { UnrecoverableError, type Job } from 'bullmq';
import { AssetMedia } from '../catalog/asset-media.js';
import type { OwnedAsset } from '../catalog/assets.repository.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Tx } from '../platform/db/client.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { JobPayloads } from '../platform/queue/registry.js';
import { FfmpegUnavailableError, MediaError } from '../previews/ffmpeg.runner.js';
import { renderVideoFrame } from '../previews/preview.render.js';
import { renderThumbnails } from '../previews/thumbnails.js';
import { ScannerError, type ScanVerdict } from './clamav.js';
import { currentUpload, isLastAttempt, localInput, PREVIEWS_OFF, type MediaContext } from './media.context.js';
import { deleteUploadInTx, hasPreview, hasThumbnail, siblingKey, thumbnailUrl, uploadKeys } from './media.files.js';
import { folderOfOriginal, sweepStorage } from './media.sweep.js';

export type StepResult =
  | { readonly outcome: 'stale' | 'done-before' | 'not-applicable' | 'not-clean' }
  | { readonly outcome: 'clean' | 'made' }
  | { readonly outcome: 'infected'; readonly signature: string }
  | { readonly outcome: 'failed'; readonly error: string };

type ScanPayload = JobPayloads['media-scan']['MediaScan'];
type ThumbnailPayload = JobPayloads['media-thumbnail']['MediaThumbnail'];
export type JobInfo = Pick<Job, 'attemptsMade' | 'opts'>;

/** The preview job of an upload, after its scan (audio) or its thumbnail (video). */
export function previewInTx(tx: Tx, assetId: string, storageKey: string): Promise<void> {
  return enqueueInTx(tx, 'file-preview-generation', 'PreviewGenerate', { assetId, storageKey, trigger: 'upload' });
}

/**
 * The first steps of an upload's pipeline. Each step checks that the asset still holds its upload,
 * writes its result only under that condition, and enqueues the next step in the same transaction
 * (outbox): scan → thumbnail (images, video) → preview (video, audio).
 */
export class MediaPipeline {
  constructor(private readonly ctx: MediaContext, private readonly notifications: NotificationsService) {}

  async scan(data: ScanPayload, job: JobInfo, signal?: AbortSignal): Promise<StepResult> {
    const asset = await currentUpload(this.ctx.db, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status === 'CLEAN' || asset.scan_status === 'INFECTED') return { outcome: 'done-before' };
    const scanner = this.ctx.scanner;
    if (!scanner) return this.recordVerdict(asset, data, { clean: true }, { scanner: 'none' });
    if (asset.scan_status !== 'SCANNING') await this.write(asset, data.storageKey, { scanStatus: 'SCANNING' });
    let verdict: ScanVerdict;
    try {
      verdict = await scanner.scan(await this.ctx.storage.get(data.storageKey), signal);
    } catch (err) {
      const permanent = err instanceof ScannerError && err.permanent;
      if (permanent || isLastAttempt(job)) {
        const error = `The virus scan could not be completed: ${(err as Error).message}`;
        await this.write(asset, data.storageKey, {
          scanStatus: 'ERROR',
          metadata: { scanResult: { scanner: 'clamav', error: (err as Error).message }, ...(hasPreview(asset.type) ? { previewError: error, previewLastAttempt: new Date().toISOString() } : {}) },
        });
      }
      throw permanent ? new UnrecoverableError((err as Error).message) : err;
    }
    return this.recordVerdict(asset, data, verdict, { scanner: 'clamav', result: verdict.clean ? 'clean' : 'infected', ...(verdict.clean ? {} : { signature: verdict.signature }) });
  }

  private recordVerdict(asset: OwnedAsset, data: ScanPayload, verdict: ScanVerdict, scanResult: Record<string, unknown>): Promise<StepResult> {
    const at = new Date().toISOString();
    return this.ctx.db.transaction().execute(async (tx): Promise<StepResult> => {
      const assets = new AssetMedia(tx);
      if (verdict.clean) {
        const row = await assets.save(asset.id, { scanStatus: 'CLEAN', metadata: { scanResult: this.ctx.scanner ? { ...scanResult, scannedAt: at } : scanResult } }, data.storageKey);
        if (!row) return { outcome: 'stale' };
        if (hasThumbnail(asset.type)) await enqueueInTx(tx, 'media-thumbnail', 'MediaThumbnail', { assetId: asset.id, storageKey: data.storageKey });
        else if (hasPreview(asset.type)) await previewInTx(tx, asset.id, data.storageKey);
        return { outcome: 'clean' };
      }
      const row = await assets.save(asset.id, {
        storageKey: null, mimeType: null, fileSize: null, scanStatus: 'INFECTED', thumbnailUrl: null, previewUrl: null,
        metadata: {
          scanResult: { ...scanResult, scannedAt: at },
          ...(hasPreview(asset.type) ? { previewGenerated: false, previewError: `The file was removed: the virus scan found ${verdict.signature}.`, previewLastAttempt: at } : {}),
        },
      }, data.storageKey);
      if (!row) return { outcome: 'stale' };
      await deleteUploadInTx(tx, data.storageKey);
      await this.notifications.notify({
        userIds: [data.uploadedBy], type: 'SYSTEM', priority: 'HIGH', title: 'Upload removed: a virus was found',
        message: `The file you uploaded to "${asset.title}" contains ${verdict.signature} and was deleted. Nothing was shared.`,
        metadata: { assetId: asset.id, signature: verdict.signature },
      }, tx);
      return { outcome: 'infected', signature: verdict.signature };
    });
  }

  async thumbnail(data: ThumbnailPayload, job: JobInfo, signal?: AbortSignal): Promise<StepResult> {
    const asset = await currentUpload(this.ctx.db, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status !== 'CLEAN') return { outcome: 'not-clean' };
    if (!hasThumbnail(asset.type)) return { outcome: 'not-applicable' };
    if (asset.thumbnail_url) return { outcome: 'done-before' };
    const written: string[] = [];
    try {
      await this.ctx.inTempDir('herald-thumbnail-', async (dir) => {
        const input = await localInput(this.ctx.storage, data.storageKey, dir);
        let source = input;
        if (asset.type === 'VIDEO') {
          source = `${dir}/frame.png`;
          const bins = await this.ctx.ffmpeg();
          await renderVideoFrame(bins, input, source, { signal, limits: { maxDurationSeconds: this.ctx.maxDurationSeconds }, timeoutMs: 120_000 });
        }
        const thumbnails = await renderThumbnails(source).catch((err: Error) => {
          throw new MediaError(`The image could not be read (${err.message.split('\n')[0]}).`);
        });
        for (const t of thumbnails) {
          const key = siblingKey(data.storageKey, t.name);
          await this.ctx.storage.put(key, Readable.from([t.data]), { contentType: 'image/webp' });
          written.push(key);
        }
      });
    } catch (err) {
      if (err instanceof MediaError) return this.recordThumbnail(asset, data.storageKey, err.message, []);
      if (err instanceof FfmpegUnavailableError) return this.recordThumbnail(asset, data.storageKey, PREVIEWS_OFF, []);
      if (signal?.aborted || !isLastAttempt(job)) throw err;
      await this.recordThumbnail(asset, data.storageKey, `Thumbnails could not be made: ${(err as Error).message}`, written);
      throw err;
    }
    return this.recordThumbnail(asset, data.storageKey, null, written);
  }

  /** Thumbnails (or why there are none), then the video's preview either way. */
  private async recordThumbnail(asset: OwnedAsset, storageKey: string, error: string | null, written: readonly string[]): Promise<StepResult> {
    const at = new Date().toISOString();
    const result = await this.ctx.db.transaction().execute(async (tx): Promise<StepResult> => {
      const row = await new AssetMedia(tx).save(asset.id, error
        ? { thumbnailUrl: null, metadata: { thumbnailError: error, thumbnailGeneratedAt: null } }
        : { thumbnailUrl: thumbnailUrl(asset.id, storageKey, at), metadata: { thumbnailGeneratedAt: at, thumbnailError: null } }, storageKey);
      if (!row) return { outcome: 'stale' };
      if (hasPreview(asset.type) && !row.preview_url) await previewInTx(tx, asset.id, storageKey);
      return error ? { outcome: 'failed', error } : { outcome: 'made' };
    });
    if (result.outcome === 'stale') await this.deleteFiles(written);
    return result;
  }

  /**
   * The given files, and everything in the folder of each upload in `uploads` (a deleted asset's).
   * Deleting a missing file is not an error, so a re-run after a crash finishes the job.
   */
  async deleteFiles(keys: readonly string[], uploads: readonly string[] = []): Promise<{ deleted: number }> {
    const all = new Set(keys);
    for (const original of uploads) {
      for (const key of uploadKeys(original)) all.add(key);
      // One upload's folder holds a handful of files; listing it catches any name not known here.
      for await (const object of this.ctx.storage.list(`${folderOfOriginal(original)}/`)) all.add(object.key);
    }
    for (const key of all) await this.ctx.storage.delete(key);
    return { deleted: all.size };
  }

  /** The scheduled sweep: unreferenced stored files and this host's stale job temp folders. */
  async sweep(now = Date.now()): Promise<{ scanned: number; removed: number; tempDirs: number }> {
    const files = await sweepStorage(this.ctx, this.ctx.sweepGraceMs, now);
    const tempDirs = await this.ctx.sweepTempDirs(now);
    if (files.removed || tempDirs) this.ctx.log.info({ ...files, tempDirs }, 'media sweep removed leftovers');
    return { ...files, tempDirs };
  }

  private async write(asset: OwnedAsset, storageKey: string, patch: Parameters<AssetMedia['save']>[1]): Promise<void> {
    await this.ctx.db.transaction().execute((tx) => new AssetMedia(tx).save(asset.id, patch, storageKey));
  }
}
