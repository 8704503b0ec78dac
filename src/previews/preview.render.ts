import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  audioPreviewArgs, DEFAULT_PREVIEW_LIMITS, previewPlan, unprobedAudioPreviewArgs, videoFrameArgs, videoPreviewArgs,
  type FrameOptions, type PreviewLimits, type PreviewPlan, type VideoPlan, type VideoPreviewOptions,
} from './ffmpeg.args.js';
import { describeFfmpegFailure, parseInputDump } from './ffmpeg.parse.js';
import { breachMessage } from './process.limits.js';
import { FfmpegError, MediaError, probe, runFfmpeg, type FfmpegBinaries, type RunOptions, type RunResult } from './ffmpeg.runner.js';

/**
 * The preview and video-frame steps of the pipeline on local files (the job moves them to and from
 * storage inside withTempDir). Bad input ends in a MediaError with a message for the uploader.
 */

export interface RenderOptions extends Pick<RunOptions, 'signal' | 'onProgress' | 'niceness'> {
  readonly limits?: Partial<PreviewLimits>;
  readonly video?: Partial<VideoPreviewOptions>;
  /** Per ffmpeg run; default 5 minutes. */
  readonly timeoutMs?: number;
  /** A plan made earlier (by the thumbnail step, say); probed and planned here when absent. */
  readonly plan?: PreviewPlan;
}

export interface RenderedPreview {
  readonly kind: 'video' | 'audio';
  readonly file: string;
  readonly mime: 'video/mp4' | 'audio/mpeg';
  /** Of the preview itself, as ffmpeg reported writing it. */
  readonly durationSeconds: number;
  readonly plan: PreviewPlan;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** A preview encode's niceness: below the service's own event loop and other jobs, it takes the CPU they leave. */
export const ENCODE_NICENESS = 10;

/** Probes input and decides its preview; MediaError when it cannot have one. */
export async function planPreview(bins: FfmpegBinaries, input: string, options: Pick<RenderOptions, 'limits' | 'signal' | 'timeoutMs'> = {}): Promise<PreviewPlan> {
  const result = previewPlan(await probe(bins, input, { signal: options.signal, timeoutMs: options.timeoutMs }), options.limits);
  if (!result.ok) throw new MediaError(result.error);
  return result.plan;
}

/** Writes `preview.mp4` (video) or `preview.mp3` (audio) into outputDir. */
export async function renderPreview(bins: FfmpegBinaries, input: string, outputDir: string, options: RenderOptions = {}): Promise<RenderedPreview> {
  const plan = options.plan ?? await planPreview(bins, input, options);
  const video = plan.kind === 'video';
  const file = path.join(outputDir, video ? 'preview.mp4' : 'preview.mp3');
  const args = video ? videoPreviewArgs(input, file, plan, options.video) : audioPreviewArgs(input, file, plan);
  // Progress is always on: its last report is how much ffmpeg wrote, checked below without probing the result.
  const { stderr, outSeconds } = await encode(bins, args, input, { ...options, onProgress: options.onProgress ?? (() => undefined), expectedSeconds: plan.length });
  return { kind: plan.kind, file, mime: video ? 'video/mp4' : 'audio/mpeg', durationSeconds: wholeClip(outSeconds, plan, stderr), plan };
}

// Lines of stderr kept for the input dump: one longer than this (thousands of tags) goes the probed way.
const MAX_DUMP_LINES = 400;

/**
 * An audio preview in one ffmpeg process: the encode is its own probe (its input dump, read by
 * parseInputDump), where renderPreview runs ffprobe first, a second process that costs a third of
 * a 30 s MP3 encode. Answers null, having decided nothing, unless the dump shows a file
 * renderPreview would make this same audio preview of (audio only or with cover art, of up to two
 * channels, within the limits, in one of UNPROBED_AUDIO_FORMATS) and ffmpeg succeeded: the caller
 * then plans and renders as before, so a video, 5.1 audio or a bad file gets what it always got.
 * Resource limits and machine failures are thrown as renderPreview throws them.
 */
export async function renderAudioPreviewUnprobed(bins: FfmpegBinaries, input: string, outputDir: string, options: Omit<RenderOptions, 'plan'> = {}): Promise<RenderedPreview | null> {
  const clip = options.limits?.audioClipSeconds ?? DEFAULT_PREVIEW_LIMITS.audioClipSeconds;
  const file = path.join(outputDir, 'preview.mp3');
  const dump: string[] = [];
  let ran: RunResult;
  try {
    ran = await runFfmpeg(bins, unprobedAudioPreviewArgs(input, file, clip), {
      ...options, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onProgress: options.onProgress ?? (() => undefined), expectedSeconds: clip,
      logLevel: 'info',
      onStderrLine: (line) => {
        if (dump.length < MAX_DUMP_LINES) dump.push(line);
      },
    });
  } catch (err) {
    if (err instanceof FfmpegError && err.breach) throw new MediaError(breachMessage(err.breach, bins.limits), err.stderr.join('\n'));
    // ffmpeg's verdict on the input (not on whitelist, no audio stream, unreadable): the probe says what it is.
    if (err instanceof FfmpegError && err.reason === 'exit' && err.exitCode !== null) return null;
    throw err;
  }
  const probed = parseInputDump(dump);
  const result = probed && previewPlan(probed, options.limits);
  // No channel count is an unknown layout: -ac 2 may be needed, which only the probed way adds.
  if (!result?.ok || result.plan.kind !== 'audio' || (result.plan.audioChannels ?? 3) > 2) return null;
  return { kind: 'audio', file, mime: 'audio/mpeg', durationSeconds: wholeClip(ran.outSeconds, result.plan, ran.stderr), plan: result.plan };
}

/** Seconds of preview ffmpeg wrote, or a MediaError when that is clearly short of the plan. */
function wholeClip(outSeconds: number | null, plan: PreviewPlan, stderr: readonly string[]): number {
  // A file cut short after its index still probes with its full duration; ffmpeg then stops early
  // at the cut with exit 0, so the only sign is a short result.
  const produced = outSeconds ?? 0;
  if (!(produced > 0)) {
    throw new MediaError('The file could not be converted: the preview came out empty.', stderr.join('\n'));
  }
  // Container durations are approximate, so only a clear shortfall counts; "partial file" (ffmpeg's
  // word for data missing at EOF) makes a smaller one count too. A cut after the clip is harmless.
  const partial = stderr.some((l) => /partial file/i.test(l));
  if (produced < plan.length * 0.75 || (partial && produced < plan.length - 0.5)) {
    throw new MediaError(
      `The file is truncated or corrupt: its preview came out ${produced.toFixed(1)} s long instead of ${plan.length.toFixed(1)} s.`,
      stderr.join('\n'),
    );
  }
  return produced;
}

/** One frame at 10 % of the duration, for the video thumbnail; audio has none (MediaError). */
export async function renderVideoFrame(
  bins: FfmpegBinaries, input: string, output: string, options: RenderOptions & { readonly frame?: Partial<FrameOptions> } = {},
): Promise<VideoPlan> {
  const plan = options.plan ?? await planPreview(bins, input, options);
  if (plan.kind !== 'video') throw new MediaError('Audio files have no thumbnail.');
  await encode(bins, videoFrameArgs(input, output, plan, options.frame), input, { ...options, onProgress: undefined });
  const size = await stat(output).then((s) => s.size, () => 0);
  if (size === 0) throw new MediaError('No picture could be read from the video.');
  return plan;
}

async function encode(bins: FfmpegBinaries, args: string[], input: string, options: RunOptions) {
  try {
    return await runFfmpeg(bins, args, { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  } catch (err) {
    // A resource limit is the file's problem: the same input would break it again.
    if (err instanceof FfmpegError && err.breach) throw new MediaError(breachMessage(err.breach, bins.limits), err.stderr.join('\n'));
    // A full disk, no memory or a kill signal is the machine's problem (retry); any other failure is the file's.
    if (err instanceof FfmpegError && err.reason === 'exit' && err.exitCode !== null && !err.stderr.some((l) => /No space left|Cannot allocate memory/i.test(l))) {
      throw new MediaError(`The file could not be converted (${describeFfmpegFailure(err.stderr, input) || `exit ${err.exitCode}`}).`, err.stderr.join('\n'));
    }
    throw err;
  }
}
