import type { MediaProbe, MediaStream } from './ffmpeg.parse.js';

/**
 * Pure ffmpeg argument builders and the decision of what preview a file gets. The runner adds
 * only the process-level flags (log level, progress, no stdin).
 */

export interface PreviewLimits {
  /** Longer media is refused (the "3-hour video"); the caller passes the configured value. */
  readonly maxDurationSeconds: number;
  readonly videoClipSeconds: number;
  readonly audioClipSeconds: number;
  /** Where video previews and thumbnails start, as a fraction of the duration (skips intros and black). */
  readonly startFraction: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  maxDurationSeconds: 2 * 3600,
  videoClipSeconds: 10,
  audioClipSeconds: 30,
  startFraction: 0.1,
};

export interface VideoPlan {
  readonly kind: 'video';
  readonly durationSeconds: number;
  readonly start: number;
  readonly length: number;
  /** The frame for the thumbnail. */
  readonly thumbnailAt: number;
  readonly videoStream: number;
  /** Absent when the file has no audio; the preview is then silent. */
  readonly audioStream?: number;
  readonly audioChannels?: number;
  readonly sampleAspectRatio?: number;
}

export interface AudioPlan {
  readonly kind: 'audio';
  readonly durationSeconds: number;
  readonly start: 0;
  readonly length: number;
  readonly audioStream: number;
  readonly audioChannels?: number;
}

export type PreviewPlan = VideoPlan | AudioPlan;
export type PlanResult = { readonly ok: true; readonly plan: PreviewPlan } | { readonly ok: false; readonly error: string };

// Demuxers that read other files or URLs named inside the input (an uploaded playlist could make
// ffmpeg fetch from the network or read local files into a preview), or that are not media files.
export const REFUSED_FORMATS: ReadonlySet<string> = new Set(['hls', 'applehttp', 'dash', 'concat', 'sdp', 'rtsp', 'rtp', 'ffmetadata', 'lavfi', 'tty', 'image2', 'subviewer', 'srt', 'ass', 'webvtt']);

/** Decides from a probe what preview a file gets, or why it gets none (a message for the uploader). */
export function previewPlan(probe: MediaProbe, limits: Partial<PreviewLimits> = {}): PlanResult {
  const l = { ...DEFAULT_PREVIEW_LIMITS, ...limits };
  if (probe.formatName.split(',').some((f) => REFUSED_FORMATS.has(f))) {
    return { ok: false, error: `The file is not an audio or video file (format ${probe.formatName}).` };
  }
  const video = probe.streams.find((s) => s.type === 'video' && !s.attachedPicture);
  const audio = probe.streams.find((s) => s.type === 'audio');
  if (!video && !audio) return { ok: false, error: 'The file has no audio or video stream.' };
  const duration = probe.durationSeconds ?? longestStream(probe.streams);
  if (!(duration > 0)) return { ok: false, error: 'The media has no duration: the file is empty, a still image or unreadable.' };
  if (duration > l.maxDurationSeconds) {
    return { ok: false, error: `The media is ${clock(duration)} long; previews are made for media up to ${clock(l.maxDurationSeconds)}.` };
  }
  if (video) {
    const start = millis(duration * l.startFraction);
    const length = millis(Math.min(l.videoClipSeconds, duration - start));
    if (length <= 0) return { ok: false, error: 'The media is too short to preview.' };
    return {
      ok: true,
      plan: {
        kind: 'video', durationSeconds: duration, start, length, thumbnailAt: start, videoStream: video.index,
        ...(audio ? { audioStream: audio.index } : {}),
        ...(audio?.channels ? { audioChannels: audio.channels } : {}),
        ...(video.sampleAspectRatio ? { sampleAspectRatio: video.sampleAspectRatio } : {}),
      },
    };
  }
  const length = millis(Math.min(l.audioClipSeconds, duration));
  if (length <= 0) return { ok: false, error: 'The media is too short to preview.' };
  return {
    ok: true,
    plan: { kind: 'audio', durationSeconds: duration, start: 0, length, audioStream: audio!.index, ...(audio!.channels ? { audioChannels: audio!.channels } : {}) },
  };
}

export interface VideoPreviewOptions {
  readonly width: number;
  readonly height: number;
  readonly videoBitrate: string;
  readonly audioBitrate: string;
  /** x264 speed/size trade-off; a 10 s clip at veryfast takes about 2 s of one core at 720p. */
  readonly preset: string;
}

export const DEFAULT_VIDEO_PREVIEW: VideoPreviewOptions = { width: 1280, height: 720, videoBitrate: '1000k', audioBitrate: '128k', preset: 'veryfast' };

/**
 * Filter fitting the picture into width×height without distortion: scale down keeping the aspect
 * ratio, round to even sizes (yuv420p needs them), pad the rest black and centred. Non-square
 * pixels are made square first.
 */
export function fitFilter(width: number, height: number, sampleAspectRatio?: number): string {
  return [
    ...squarePixels(sampleAspectRatio),
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    'scale=trunc(iw/2)*2:trunc(ih/2)*2',
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
  ].join(',');
}

/** H.264/AAC MP4 of plan.length seconds from plan.start, fitted into 1280×720, playable while downloading. */
export function videoPreviewArgs(input: string, output: string, plan: VideoPlan, options: Partial<VideoPreviewOptions> = {}): string[] {
  const o = { ...DEFAULT_VIDEO_PREVIEW, ...options };
  return [
    ...inputArgs(input, plan.start),
    '-t', seconds(plan.length),
    '-map', `0:${plan.videoStream}`,
    ...(plan.audioStream === undefined ? ['-an'] : ['-map', `0:${plan.audioStream}`]),
    '-vf', fitFilter(o.width, o.height, plan.sampleAspectRatio),
    '-c:v', 'libx264', '-preset', o.preset, '-b:v', o.videoBitrate, '-pix_fmt', 'yuv420p',
    ...(plan.audioStream === undefined ? [] : ['-c:a', 'aac', '-b:a', o.audioBitrate, ...stereo(plan.audioChannels)]),
    ...stripMetadata(),
    '-movflags', '+faststart',
    '-f', 'mp4', fileUrl(output),
  ];
}

/** MP3 of the first plan.length seconds (at most 30). */
export function audioPreviewArgs(input: string, output: string, plan: AudioPlan, options: { readonly bitrate?: string } = {}): string[] {
  return mp3Args(inputArgs(input, 0), plan.length, String(plan.audioStream), output, options.bitrate, stereo(plan.audioChannels));
}

/**
 * Audio containers an encode may open without a probe first (ffmpeg's demuxer names). None reads
 * other files named inside the input (see REFUSED_FORMATS); a file in any other format is refused
 * by ffmpeg itself before it reads past the header, and goes the probed way.
 */
export const UNPROBED_AUDIO_FORMATS: readonly string[] = ['wav', 'w64', 'mp3', 'flac', 'ogg', 'mov', 'matroska', 'aiff', 'aac', 'caf', 'asf', 'wv'];

/**
 * audioPreviewArgs for a file not probed yet: the first audio stream, the first `clipSeconds` (a
 * shorter file ends sooner by itself), only the demuxers of UNPROBED_AUDIO_FORMATS. The caller runs
 * it at log level info and reads ffmpeg's input dump (parseInputDump) for what the probe would
 * have said; the same command as audioPreviewArgs's for a file of up to two channels.
 */
export function unprobedAudioPreviewArgs(input: string, output: string, clipSeconds: number, options: { readonly bitrate?: string } = {}): string[] {
  return mp3Args(['-format_whitelist', UNPROBED_AUDIO_FORMATS.join(','), ...inputArgs(input, 0)], millis(clipSeconds), 'a:0', output, options.bitrate, []);
}

function mp3Args(input: readonly string[], length: number, stream: string, output: string, bitrate: string | undefined, channels: readonly string[]): string[] {
  return [
    ...input,
    '-t', seconds(length),
    '-map', `0:${stream}`,
    '-vn',
    // LAME encodes at most two channels; 5.1 input would fail without the downmix.
    '-c:a', 'libmp3lame', '-b:a', bitrate ?? '128k', ...channels,
    ...stripMetadata(),
    '-f', 'mp3', fileUrl(output),
  ];
}

export interface FrameOptions {
  readonly format: 'png' | 'jpeg';
  /** The frame is scaled down to at most this width; thumbnails are made from it afterwards. */
  readonly maxWidth: number;
}

/** One frame at plan.thumbnailAt as a PNG or JPEG image. */
export function videoFrameArgs(input: string, output: string, plan: VideoPlan, options: Partial<FrameOptions> = {}): string[] {
  const o: FrameOptions = { format: 'png', maxWidth: 1280, ...options };
  return [
    ...inputArgs(input, plan.thumbnailAt),
    '-map', `0:${plan.videoStream}`,
    '-frames:v', '1',
    '-vf', [...squarePixels(plan.sampleAspectRatio), `scale='min(iw,${o.maxWidth})':-2`].join(','),
    '-an', '-sn',
    ...(o.format === 'png' ? ['-c:v', 'png'] : ['-c:v', 'mjpeg', '-q:v', '2']),
    '-update', '1',
    '-f', 'image2', fileUrl(output),
  ];
}

/** `ffprobe` arguments for parseFfprobeJson. */
export function ffprobeArgs(input: string): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', fileUrl(input)];
}

// Seeking before -i jumps to the nearest keyframe and decodes up to the exact time: fast and exact.
function inputArgs(input: string, start: number): string[] {
  return ['-protocol_whitelist', 'file', ...(start > 0 ? ['-ss', seconds(start)] : []), '-i', fileUrl(input)];
}

// `file:` keeps ffmpeg from reading a path as a protocol or option (`http:…`, `-…`, `concat:…`).
function fileUrl(file: string): string {
  return `file:${file}`;
}

function squarePixels(sampleAspectRatio: number | undefined): string[] {
  return sampleAspectRatio && Math.abs(sampleAspectRatio - 1) > 0.01 ? ['scale=trunc(iw*sar/2)*2:ih', 'setsar=1'] : [];
}

function stereo(channels: number | undefined): string[] {
  return channels !== undefined && channels > 2 ? ['-ac', '2'] : [];
}

// Phone videos carry GPS positions and device names in their metadata; previews do not need them.
function stripMetadata(): string[] {
  return ['-map_metadata', '-1', '-map_chapters', '-1'];
}

function longestStream(streams: readonly MediaStream[]): number {
  return Math.max(0, ...streams.map((s) => s.durationSeconds ?? 0));
}

/** Whole milliseconds, rounded down (a clip must not outrun its source) past float noise (11.2 × 0.1 = 1.1199…). */
function millis(n: number): number {
  return Math.floor(n * 1000 + 1e-6) / 1000;
}

function seconds(n: number): string {
  return n.toFixed(3);
}

/** 10800 → "3:00:00". */
export function clock(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
