import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Module, Platform } from '../platform/module.js';
import { PreviewService } from '../previews/preview.service.js';
import { createMediaContext, previewsHealth } from './media.context.js';
import { filePreviewJobs, mediaScanJobs, mediaThumbnailJobs } from './media.job.js';
import { mediaRoutes } from './media.routes.js';
import { MediaService } from './media.service.js';
import { MediaPipeline } from './pipeline.service.js';
import { PreviewsAdminService } from './previews-admin.service.js';

export interface MediaModuleDeps extends Pick<Platform, 'db' | 'storage' | 'config' | 'log'> {
  readonly notifications: NotificationsService;
}

/** Uploads and file serving, the virus scan, thumbnails and previews, and their admin re-runs. */
export function mediaModule(deps: MediaModuleDeps) {
  const { db, storage, config } = deps;
  const context = createMediaContext({ db, storage, log: deps.log, config });
  const files = new MediaService({ db, storage, uploadMaxBytes: config.media.uploadMaxBytes });
  const pipeline = new MediaPipeline(context, deps.notifications);
  const previews = new PreviewService(context);
  const admin = new PreviewsAdminService({ db });
  return {
    files,
    pipeline,
    previews,
    admin,
    /** Port: what the previews health group reports (clamd, ffmpeg). */
    health: () => previewsHealth(context),
    jobs: {
      'media-scan': mediaScanJobs(pipeline),
      'media-thumbnail': mediaThumbnailJobs(pipeline),
      'file-preview-generation': filePreviewJobs(previews),
    },
    routes: (http) => mediaRoutes(http, { media: files, storage, previews: admin }),
  } satisfies Module<'media-scan' | 'media-thumbnail' | 'file-preview-generation'> & Record<string, unknown>;
}
export type MediaModule = ReturnType<typeof mediaModule>;
