/**
 * Pure readers of what ffprobe and ffmpeg print: ffprobe's JSON, `ffmpeg -i`'s stderr (the fallback
 * when only ffmpeg is installed, as with @ffmpeg-installer), and `-progress` lines.
 */

export type StreamType = 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'other';

export interface MediaStream {
  readonly index: number;
  readonly type: StreamType;
  readonly codec: string;
  readonly width?: number;
  readonly height?: number;
  /** Width/height of one pixel; absent when square or unknown. */
  readonly sampleAspectRatio?: number;
  /** Cover art in an audio file: a video stream of one picture, not a video track. */
  readonly attachedPicture: boolean;
  readonly channels?: number;
  readonly sampleRate?: number;
  readonly durationSeconds?: number;
}

export interface MediaProbe {
  /** The demuxer, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `mp3`, `matroska,webm`. */
  readonly formatName: string;
  /** null when the container does not say (`N/A`). */
  readonly durationSeconds: number | null;
  readonly streams: readonly MediaStream[];
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: Array<{
    index?: number; codec_type?: string; codec_name?: string; width?: number; height?: number;
    sample_aspect_ratio?: string; channels?: number; sample_rate?: string; duration?: string;
    disposition?: { attached_pic?: number };
  }>;
}

/** `ffprobe -print_format json -show_format -show_streams` output → MediaProbe. */
export function parseFfprobeJson(json: string): MediaProbe {
  const data = JSON.parse(json) as FfprobeJson;
  const streams = (data.streams ?? []).map((s, i): MediaStream => ({
    index: s.index ?? i,
    type: streamType(s.codec_type),
    codec: s.codec_name ?? 'unknown',
    ...(s.width && s.height ? { width: s.width, height: s.height } : {}),
    ...optional('sampleAspectRatio', ratio(s.sample_aspect_ratio)),
    attachedPicture: s.disposition?.attached_pic === 1,
    ...optional('channels', s.channels || undefined),
    ...optional('sampleRate', positive(Number(s.sample_rate))),
    ...optional('durationSeconds', positive(Number(s.duration))),
  }));
  return { formatName: data.format?.format_name ?? 'unknown', durationSeconds: positive(Number(data.format?.duration)) ?? null, streams };
}

const INPUT_LINE = /^Input #0, (.+), from '/m;
const DURATION_LINE = /^\s*Duration: (?:(\d+):(\d{2}):(\d{2}(?:\.\d+)?)|N\/A)/m;
// Debian's ffmpeg 5 prints `Stream #0:0[0x1](und): Video: …`, the 2018 static build `Stream #0:0(und): Video: …`.
const STREAM_LINE = /^\s*Stream #0:(\d+)(?:\[0x[0-9a-f]+\])?(?:\([^)]*\))?: (\w+): ([^\s,]+)(.*)$/gm;
// The 2018 static build does not flag MP4 cover art as `(attached pic)`. Next to audio, a still-image
// codec without a frame rate is cover art (a real MJPEG video prints `25 fps`).
const STILL_CODECS = new Set(['mjpeg', 'png', 'bmp', 'webp']);

const LAYOUT_CHANNELS: Record<string, number> = { mono: 1, stereo: 2, '2.1': 3, '3.0': 3, quad: 4, '4.0': 4, '5.0': 5, '5.1': 6, '6.1': 7, '7.1': 8 };

/**
 * `ffmpeg -i <file>` stderr → MediaProbe, or null when ffmpeg found no input (then the last
 * stderr lines say why). Durations are printed to 1/100 s.
 */
export function parseFfmpegInfo(stderr: string): MediaProbe | null {
  const input = INPUT_LINE.exec(stderr);
  if (!input) return null;
  const d = DURATION_LINE.exec(stderr);
  const duration = d && d[1] !== undefined ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null;
  const streams: MediaStream[] = [];
  const stills: boolean[] = [];
  for (const m of stderr.matchAll(STREAM_LINE)) {
    const [, index, kind, codec, rest = ''] = m;
    const type = streamType(kind!.toLowerCase());
    const size = type === 'video' ? /, (\d+)x(\d+)/.exec(rest) : null;
    const sar = /\[SAR (\d+:\d+) DAR/.exec(rest);
    const audio = type === 'audio' ? /, (\d+) Hz, ([^,]+)/.exec(rest) : null;
    streams.push({
      index: Number(index),
      type,
      codec: codec!,
      ...(size ? { width: Number(size[1]), height: Number(size[2]) } : {}),
      ...optional('sampleAspectRatio', ratio(sar?.[1])),
      attachedPicture: rest.includes('(attached pic)'),
      ...optional('channels', audio ? channelCount(audio[2]!) : undefined),
      ...optional('sampleRate', audio ? Number(audio[1]) : undefined),
    });
    stills.push(type === 'video' && STILL_CODECS.has(codec!) && !/ fps,/.test(rest));
  }
  return { formatName: input[1]!, durationSeconds: positive(duration ?? NaN) ?? null, streams: markUnflaggedCovers(streams, stills) };
}

function markUnflaggedCovers(streams: MediaStream[], stills: readonly boolean[]): MediaStream[] {
  if (!streams.some((s) => s.type === 'audio')) return streams;
  return streams.map((s, i) => (stills[i] ? { ...s, attachedPicture: true } : s));
}

/**
 * One `-progress pipe:1` line → seconds of output written so far, or null for other lines.
 * `out_time_ms` is in microseconds despite its name (a long-standing ffmpeg quirk); newer builds
 * also print the correctly named `out_time_us`.
 */
export function progressSeconds(line: string): number | null {
  const m = /^out_time_(?:us|ms)=(-?\d+)$/.exec(line.trim());
  return m ? Math.max(0, Number(m[1]) / 1_000_000) : null;
}

/** Fraction 0..1 of expectedSeconds done. */
export function progressFraction(seconds: number, expectedSeconds: number): number {
  if (!(expectedSeconds > 0)) return 0;
  return Math.min(1, Math.max(0, seconds / expectedSeconds));
}

/**
 * ffmpeg's last error lines made fit for a user: without the `[mov,mp4 @ 0x55…]` context prefixes
 * and without the file path (a temporary path means nothing to the uploader), de-duplicated.
 */
export function describeFfmpegFailure(lines: readonly string[], inputPath?: string): string {
  const cleaned = lines
    .map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i, '').trim())
    .map((l) => (inputPath ? l.split(`file:${inputPath}`).join('input').split(inputPath).join('input') : l))
    .map((l) => l.replace(/^input: /, ''))
    .filter((l) => l.length > 0 && !/^At least one output file must be specified$/.test(l) && !/misdetection possible/.test(l));
  return [...new Set(cleaned)].slice(-3).join('; ');
}

function streamType(type: string | undefined): StreamType {
  return type === 'video' || type === 'audio' || type === 'subtitle' || type === 'data' || type === 'attachment' ? type : 'other';
}

function channelCount(layout: string): number | undefined {
  const n = /^(\d+) channels/.exec(layout);
  if (n) return Number(n[1]);
  return LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, '').trim()];
}

/** "16:11" → 1.4545…; square (1:1) and unknown (0:1, N/A) give undefined. */
function ratio(text: string | undefined): number | undefined {
  const m = text ? /^(\d+):(\d+)$/.exec(text) : null;
  if (!m || m[1] === '0' || m[2] === '0' || m[1] === m[2]) return undefined;
  return Number(m[1]) / Number(m[2]);
}

function positive(n: number): number | undefined {
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Spreads `{ [key]: value }` only when value is defined, keeping optional fields truly absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
