import type { Job } from 'bullmq';
import type { AssetMedia, OwnedAsset } from '../catalog/index.js';
import type { Db } from '../platform/db/client.js';
import type { JobPayloads } from '../platform/queue/registry.js';
import type { Storage } from '../platform/storage/storage.js';
import { ENCODE_NICENESS, FfmpegUnavailableError, MediaError, planPreview, renderAudioPreviewUnprobed, renderPreview } from '../previews/index.js';
import { hasPreview, PREVIEW_FILES, previewUrl, siblingKey } from './media.files.js';
import { currentUpload, isLastAttempt, localInput, PREVIEWS_OFF, putFile, type FfmpegLocator, type JobTempDirs } from './media.tools.js';
import type { StepResult } from './pipeline.service.js';

type PreviewPayload = JobPayloads['file-preview-generation']['PreviewGenerate'];
export type PreviewJob = Pick<Job, 'attemptsMade' | 'opts' | 'updateProgress'>;

const PREVIEW_TIMEOUT_MS = 10 * 60_000;

/**
 * The preview step (file-preview-generation): a clip of a clean video or audio upload, written next
 * to its original, and the asset's preview fields merged into its metadata. Input problems end in
 * `previewError` (for the uploader); machine problems are retried, and recorded on the last try.
 */
export interface PreviewServiceDeps {
  readonly db: Db;
  readonly assets: AssetMedia;
  readonly storage: Storage;
  readonly ffmpeg: Pick<FfmpegLocator, 'get'>;
  readonly tempDirs: Pick<JobTempDirs, 'run'>;
  readonly maxDurationSeconds: number;
}

export class PreviewService {
  constructor(private readonly deps: PreviewServiceDeps) {}

  async generate(data: PreviewPayload, job: PreviewJob, signal?: AbortSignal): Promise<StepResult & { durationSeconds?: number }> {
    const asset = await currentUpload(this.deps.assets, data.assetId, data.storageKey);
    if (!asset) return { outcome: 'stale' };
    if (asset.scan_status !== 'CLEAN') return { outcome: 'not-clean' };
    if (!hasPreview(asset.type)) return { outcome: 'not-applicable' };
    const file = PREVIEW_FILES[asset.type];
    const key = siblingKey(data.storageKey, file.name);
    let made: { size: number; durationSeconds: number };
    try {
      made = await this.deps.tempDirs.run('herald-preview-', async (dir) => {
        const input = await localInput(this.deps.storage, data.storageKey, dir);
        await job.updateProgress(5);
        const bins = await this.deps.ffmpeg.get();
        const limits = { maxDurationSeconds: this.deps.maxDurationSeconds };
        const want = asset.type === 'VIDEO' ? 'video' : 'audio';
        let reported = 5;
        const render = {
          limits, signal, niceness: ENCODE_NICENESS, timeoutMs: PREVIEW_TIMEOUT_MS,
          onProgress: (fraction: number) => {
            const percent = 5 + Math.floor(fraction * 85);
            if (percent - reported < 5 && fraction < 1) return;
            reported = percent;
            void job.updateProgress(percent).catch(() => undefined);
          },
        };
        // Plain audio is encoded at once, ffmpeg's own look at it standing in for the probe (one
        // process instead of two); anything else (null) is probed and planned first.
        const preview = (want === 'audio' ? await renderAudioPreviewUnprobed(bins, input, dir, render) : null) ?? await (async () => {
          const plan = await planPreview(bins, input, { limits, signal });
          if (plan.kind !== want) {
            throw new MediaError(want === 'video' ? 'The file has no video stream: upload it as an AUDIO asset.' : 'The file holds a video: upload it as a VIDEO asset.');
          }
          return renderPreview(bins, input, dir, { ...render, plan });
        })();
        const size = await putFile(this.deps.storage, key, preview.file, file.mime);
        await job.updateProgress(95);
        return { size, durationSeconds: preview.plan.length };
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
    if (result.outcome === 'stale') await this.deps.storage.delete(key);
    await job.updateProgress(100);
    return { ...result, durationSeconds: made.durationSeconds };
  }

  private recordPreview(asset: OwnedAsset, storageKey: string, made: { size: number; durationSeconds: number }): Promise<StepResult> {
    const at = new Date().toISOString();
    return this.deps.db.transaction().execute(async (tx): Promise<StepResult> => {
      const row = await this.deps.assets.in(tx).save(asset.id, {
        previewUrl: previewUrl(asset.id, storageKey, at),
        metadata: { previewGenerated: true, previewGeneratedAt: at, previewSize: made.size, previewDuration: made.durationSeconds, previewError: null, previewLastAttempt: null },
      }, storageKey);
      if (!row) return { outcome: 'stale' };
      return { outcome: 'made' };
    });
  }

  private async recordFailure(asset: OwnedAsset, storageKey: string, error: string): Promise<StepResult> {
    const at = new Date().toISOString();
    const written = await this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.assets.in(tx).save(asset.id, {
        previewUrl: null,
        metadata: { previewGenerated: false, previewError: error, previewLastAttempt: at, previewGeneratedAt: null, previewSize: null, previewDuration: null },
      }, storageKey);
      return row !== undefined;
    });
    return written ? { outcome: 'failed', error } : { outcome: 'stale' };
  }
}
