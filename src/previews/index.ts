// The public surface of previews: a media-processing library (ffmpeg arguments, probing and the
// runner under process limits, sniffing, thumbnails, rendering) that knows nothing of assets,
// storage or jobs. media/ uses it; it imports nothing outside platform/.
export { FfmpegUnavailableError, MediaError, resolveFfmpeg, withTempDir, type FfmpegBinaries } from './ffmpeg.runner.js';
export { ENCODE_NICENESS, planPreview, renderAudioPreviewUnprobed, renderPreview, renderVideoFrame } from './preview.render.js';
export type { ProcessLimits } from './process.limits.js';
export { sniffStream } from './sniff.js';
export { renderThumbnails, THUMBNAIL_WIDTHS, type ThumbnailWidth } from './thumbnails.js';
