import { AuditRepository } from '../admin/index.js';
import type { AssetMedia } from '../catalog/index.js';
import type { Notify } from '../notifications/index.js';
import type { Module, Platform } from '../platform/module.js';
import { createClamav } from './clamav.js';
import { previewsHealth } from './media.health.js';
import { filePreviewJobs, mediaScanJobs, mediaThumbnailJobs } from './media.job.js';
import { mediaRoutes } from './media.routes.js';
import { MediaService } from './media.service.js';
import { FfmpegLocator, JobTempDirs } from './media.tools.js';
import { MediaPipeline } from './pipeline.service.js';
import { PreviewService } from './preview.service.js';
import { PreviewsAdminService } from './previews-admin.service.js';

export interface MediaModuleDeps extends Pick<Platform, 'db' | 'storage' | 'config' | 'log'> {
  /** The catalog's port to an asset's file fields. */
  readonly assets: AssetMedia;
  readonly notifications: Notify;
}

/** Uploads and file serving, the virus scan, thumbnails and previews, and their admin re-runs. */
export function mediaModule(deps: MediaModuleDeps) {
  const { db, storage, log, assets } = deps;
  const { media } = deps.config;
  const scanner = media.clamavUrl ? createClamav({ url: media.clamavUrl }) : null;
  const ffmpeg = new FfmpegLocator({ log, ffmpegPath: media.ffmpegPath, limits: media.processLimits });
  const tempDirs = new JobTempDirs({ log, tmpDir: media.tmpDir, sweepGraceMs: media.sweepGraceMs });
  const maxDurationSeconds = media.previewMaxDurationSeconds;
  const files = new MediaService({ db, assets, storage, uploadMaxBytes: media.uploadMaxBytes });
  const pipeline = new MediaPipeline({
    db, assets, storage, log, scanner, ffmpeg, tempDirs, maxDurationSeconds, sweepGraceMs: media.sweepGraceMs, notifications: deps.notifications,
  });
  const previews = new PreviewService({ db, assets, storage, ffmpeg, tempDirs, maxDurationSeconds });
  const admin = new PreviewsAdminService({ db, assets, audit: new AuditRepository(db) });
  return {
    files,
    pipeline,
    previews,
    admin,
    /** Port: what the previews health group reports (clamd, ffmpeg). */
    health: () => previewsHealth({ scanner, ffmpeg: () => ffmpeg.get() }),
    jobs: {
      'media-scan': mediaScanJobs(pipeline),
      'media-thumbnail': mediaThumbnailJobs(pipeline),
      'file-preview-generation': filePreviewJobs(previews),
    },
    routes: (http) => mediaRoutes(http, { media: files, previews: admin }),
  } satisfies Module<'media-scan' | 'media-thumbnail' | 'file-preview-generation'> & Record<string, unknown>;
}
export type MediaModule = ReturnType<typeof mediaModule>;
