import { Readable } from 'node:stream';
import { UnrecoverableError, type Job } from 'bullmq';
import type { AssetMedia, MediaPatch, OwnedAsset } from '../catalog/index.js';
import type { Notify } from '../notifications/index.js';
import type { Db, Tx } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import type { JobPayloads } from '../platform/queue/registry.js';
import type { Storage } from '../platform/storage/storage.js';
import { FfmpegUnavailableError, MediaError, renderThumbnails, renderVideoFrame } from '../previews/index.js';
import { ScannerError, type Scanner, type ScanVerdict } from './clamav.js';
import { deleteUploadInTx, hasPreview, hasThumbnail, siblingKey, thumbnailUrl, uploadKeys } from './media.files.js';
import { folderOfOriginal, sweepStorage } from './media.sweep.js';
import { currentUpload, isLastAttempt, localInput, PREVIEWS_OFF, type FfmpegLocator, type JobTempDirs } from './media.tools.js';

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
export interface MediaPipelineDeps {
  readonly db: Db;
  readonly assets: AssetMedia;
  readonly storage: Storage;
  readonly log: Logger;
  /** null: no CLAMAV_URL, uploads are CLEAN unscanned. */
  readonly scanner: Scanner | null;
  readonly ffmpeg: Pick<FfmpegLocator, 'get'>;
  readonly tempDirs: Pick<JobTempDirs, 'run' | 'sweep'>;
  readonly maxDurationSeconds: number;
  /** Unreferenced stored files older than this are swept. */
  readonly sweepGraceMs: number;
  /** The uploader hears of an infected file. */
  readonly notifications: Notify;
}

export class MediaPipeline {
  constructor(private readonly deps: MediaPipelineDeps) {}

  async scan(data: ScanPayload, job: JobInfo, signal?: AbortSignal): Promise<StepResult> {
    const asset = await currentUpload(this.deps.assets, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status === 'CLEAN' || asset.scan_status === 'INFECTED') return { outcome: 'done-before' };
    const scanner = this.deps.scanner;
    if (!scanner) return this.recordVerdict(asset, data, { clean: true }, { scanner: 'none' });
    if (asset.scan_status !== 'SCANNING') await this.write(asset, data.storageKey, { scanStatus: 'SCANNING' });
    let verdict: ScanVerdict;
    try {
      verdict = await scanner.scan(await this.deps.storage.get(data.storageKey), signal);
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
    return this.deps.db.transaction().execute(async (tx): Promise<StepResult> => {
      const assets = this.deps.assets.in(tx);
      if (verdict.clean) {
        const row = await assets.save(asset.id, { scanStatus: 'CLEAN', metadata: { scanResult: this.deps.scanner ? { ...scanResult, scannedAt: at } : scanResult } }, data.storageKey);
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
      await this.deps.notifications.notify({
        userIds: [data.uploadedBy], type: 'SYSTEM', priority: 'HIGH', title: 'Upload removed: a virus was found',
        message: `The file you uploaded to "${asset.title}" contains ${verdict.signature} and was deleted. Nothing was shared.`,
        metadata: { assetId: asset.id, signature: verdict.signature },
      }, tx);
      return { outcome: 'infected', signature: verdict.signature };
    });
  }

  async thumbnail(data: ThumbnailPayload, job: JobInfo, signal?: AbortSignal): Promise<StepResult> {
    const asset = await currentUpload(this.deps.assets, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status !== 'CLEAN') return { outcome: 'not-clean' };
    if (!hasThumbnail(asset.type)) return { outcome: 'not-applicable' };
    if (asset.thumbnail_url) return { outcome: 'done-before' };
    const written: string[] = [];
    try {
      await this.deps.tempDirs.run('herald-thumbnail-', async (dir) => {
        const input = await localInput(this.deps.storage, data.storageKey, dir);
        let source = input;
        if (asset.type === 'VIDEO') {
          source = `${dir}/frame.png`;
          const bins = await this.deps.ffmpeg.get();
          await renderVideoFrame(bins, input, source, { signal, limits: { maxDurationSeconds: this.deps.maxDurationSeconds }, timeoutMs: 120_000 });
        }
        const thumbnails = await renderThumbnails(source).catch((err: Error) => {
          throw new MediaError(`The image could not be read (${err.message.split('\n')[0]}).`);
        });
        for (const t of thumbnails) {
          const key = siblingKey(data.storageKey, t.name);
          await this.deps.storage.put(key, Readable.from([t.data]), { contentType: 'image/webp' });
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
    const result = await this.deps.db.transaction().execute(async (tx): Promise<StepResult> => {
      const row = await this.deps.assets.in(tx).save(asset.id, error
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
      for await (const object of this.deps.storage.list(`${folderOfOriginal(original)}/`)) all.add(object.key);
    }
    for (const key of all) await this.deps.storage.delete(key);
    return { deleted: all.size };
  }

  /** The scheduled sweep: unreferenced stored files and this host's stale job temp folders. */
  async sweep(now = Date.now()): Promise<{ scanned: number; removed: number; tempDirs: number }> {
    const files = await sweepStorage({ assets: this.deps.assets, storage: this.deps.storage, graceMs: this.deps.sweepGraceMs }, now);
    const tempDirs = await this.deps.tempDirs.sweep(now);
    if (files.removed || tempDirs) this.deps.log.info({ ...files, tempDirs }, 'media sweep removed leftovers');
    return { ...files, tempDirs };
  }

  private async write(asset: OwnedAsset, storageKey: string, patch: MediaPatch): Promise<void> {
    await this.deps.db.transaction().execute((tx) => this.deps.assets.in(tx).save(asset.id, patch, storageKey));
  }
}
