import type { Job } from 'bullmq';
import { AssetMedia } from '../catalog/asset-media.js';
import type { OwnedAsset } from '../catalog/assets.repository.js';
import { currentUpload, isLastAttempt, localInput, PREVIEWS_OFF, putFile, type MediaContext } from '../media/media.context.js';
import { hasPreview, PREVIEW_FILES, previewUrl, siblingKey } from '../media/media.files.js';
import type { StepResult } from '../media/pipeline.service.js';
import type { JobPayloads } from '../platform/queue/registry.js';
import { FfmpegUnavailableError, MediaError } from './ffmpeg.runner.js';
import { planPreview, renderPreview } from './preview.render.js';

type PreviewPayload = JobPayloads['file-preview-generation']['PreviewGenerate'];
export type PreviewJob = Pick<Job, 'attemptsMade' | 'opts' | 'updateProgress'>;

// Below the service's own event loop and the other queues' jobs: an encode takes the CPU they leave.
export const ENCODE_NICENESS = 10;
const PREVIEW_TIMEOUT_MS = 10 * 60_000;

/**
 * The preview step (file-preview-generation): a clip of a clean video or audio upload, written next
 * to its original, and the asset's preview fields merged into its metadata. Input problems end in
 * `previewError` (for the uploader); machine problems are retried, and recorded on the last try.
 */
export class PreviewService {
  constructor(private readonly ctx: MediaContext) {}

  async generate(data: PreviewPayload, job: PreviewJob, signal?: AbortSignal): Promise<StepResult & { durationSeconds?: number }> {
    const asset = await currentUpload(this.ctx.db, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status !== 'CLEAN') return { outcome: 'not-clean' };
    if (!hasPreview(asset.type)) return { outcome: 'not-applicable' };
    const file = PREVIEW_FILES[asset.type];
    const key = siblingKey(data.storageKey, file.name);
    let made: { size: number; durationSeconds: number };
    try {
      made = await this.ctx.inTempDir('herald-preview-', async (dir) => {
        const input = await localInput(this.ctx.storage, data.storageKey, dir);
        await job.updateProgress(5);
        const bins = await this.ctx.ffmpeg();
        const limits = { maxDurationSeconds: this.ctx.maxDurationSeconds };
        const plan = await planPreview(bins, input, { limits, signal });
        const want = asset.type === 'VIDEO' ? 'video' : 'audio';
        if (plan.kind !== want) {
          throw new MediaError(want === 'video' ? 'The file has no video stream: upload it as an AUDIO asset.' : 'The file holds a video: upload it as a VIDEO asset.');
        }
        let reported = 5;
        const preview = await renderPreview(bins, input, dir, {
          plan, signal, niceness: ENCODE_NICENESS, timeoutMs: PREVIEW_TIMEOUT_MS,
          onProgress: (fraction) => {
            const percent = 5 + Math.floor(fraction * 85);
            if (percent - reported < 5 && fraction < 1) return;
            reported = percent;
            void job.updateProgress(percent).catch(() => undefined);
          },
        });
        const size = await putFile(this.ctx.storage, key, preview.file, file.mime);
        await job.updateProgress(95);
        return { size, durationSeconds: plan.length };
      });
    } catch (err) {
      if (err instanceof MediaError) return this.recordFailure(asset, data.storageKey, err.message);
      // No usable ffmpeg: retrying cannot help until an admin installs one (health says how) and re-runs.
      if (err instanceof FfmpegUnavailableError) return this.recordFailure(asset, data.storageKey, PREVIEWS_OFF);
      if (signal?.aborted || !isLastAttempt(job)) throw err;
      await this.recordFailure(asset, data.storageKey, `The preview could not be made: ${(err as Error).message}`);
      throw err;
    }
    const result = await this.recordPreview(asset, data.storageKey, made);
    if (result.outcome === 'stale') await this.ctx.storage.delete(key);
    await job.updateProgress(100);
    return { ...result, durationSeconds: made.durationSeconds };
  }

  private recordPreview(asset: OwnedAsset, storageKey: string, made: { size: number; durationSeconds: number }): Promise<StepResult> {
    const at = new Date().toISOString();
    return this.ctx.db.transaction().execute(async (tx): Promise<StepResult> => {
      const row = await new AssetMedia(tx).save(asset.id, {
        previewUrl: previewUrl(asset.id, storageKey, at),
        metadata: { previewGenerated: true, previewGeneratedAt: at, previewSize: made.size, previewDuration: made.durationSeconds, previewError: null, previewLastAttempt: null },
      }, storageKey);
      if (!row) return { outcome: 'stale' };
      return { outcome: 'made' };
    });
  }

  private async recordFailure(asset: OwnedAsset, storageKey: string, error: string): Promise<StepResult> {
    const at = new Date().toISOString();
    const written = await this.ctx.db.transaction().execute(async (tx) => {
      const row = await new AssetMedia(tx).save(asset.id, {
        previewUrl: null,
        metadata: { previewGenerated: false, previewError: error, previewLastAttempt: at, previewGeneratedAt: null, previewSize: null, previewDuration: null },
      }, storageKey);
      return row !== undefined;
    });
    return written ? { outcome: 'failed', error } : { outcome: 'stale' };
  }
}
