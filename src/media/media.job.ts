import type { JobHandlers } from '../platform/queue/registry.js';
import type { MediaPipeline } from './pipeline.service.js';
import type { PreviewService } from './preview.service.js';

/** Handlers of the upload pipeline's queues: scan → thumbnail → preview, file removal and the sweep. */

export function mediaScanJobs(pipeline: MediaPipeline): JobHandlers['media-scan'] {
  return {
    MediaScan: (data, job, signal) => pipeline.scan(data, job, signal),
    MediaFilesDelete: (data) => pipeline.deleteFiles(data.keys, data.uploads),
    MediaSweep: () => pipeline.sweep(),
  };
}

export function mediaThumbnailJobs(pipeline: MediaPipeline): JobHandlers['media-thumbnail'] {
  return { MediaThumbnail: (data, job, signal) => pipeline.thumbnail(data, job, signal) };
}

export function filePreviewJobs(previews: PreviewService): JobHandlers['file-preview-generation'] {
  return { PreviewGenerate: (data, job, signal) => previews.generate(data, job, signal) };
}
