/** Pure readers of what ffprobe and ffmpeg print: ffprobe's JSON, `-progress` lines, error lines. */

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

/**
 * What ffmpeg's own input dump (`Input #0, …` at log level info, printed before it encodes) says
 * of its first input, as a MediaProbe: the facts ffprobe gives, so that an encode can be its own
 * probe. The dump is text for people, and a file's tag names are printed in it unescaped (a name
 * can hold a newline and fake a line), so this reads it strictly and answers null (the caller then
 * asks ffprobe, whose JSON escapes everything) unless: the dump's lines are all indented and end at
 * the one `Stream mapping:` line, there is exactly one Duration line, and the streams are numbered
 * 0…n-1 once each. A channel layout other than mono or stereo is left unknown (no `channels`).
 * Durations are to the hundredth of a second (the dump rounds them).
 */
export function parseInputDump(lines: readonly string[]): MediaProbe | null {
  const start = lines.findIndex((l) => l.startsWith('Input #0, '));
  const format = start < 0 ? null : /^Input #0, (.+?), from '/.exec(lines[start]!);
  const end = lines.indexOf('Stream mapping:');
  if (!format || end < start || lines.lastIndexOf('Stream mapping:') !== end) return null;
  const section = lines.slice(start + 1, end);
  if (section.some((l) => !l.startsWith(' '))) return null;
  const durations = section.map((l) => /^ {2}Duration: (?:N\/A|(\d+):(\d{2}):(\d{2}\.\d+)),/.exec(l)).filter((m) => m !== null);
  if (durations.length !== 1) return null;
  const [, h, m, sec] = durations[0]!;
  // `  Stream #0:1`, then an optional [id] and (language), then `: Type: details`.
  const streams = section.map((l) => /^ {2}Stream #0:(\d+)(?:\[\w+\])?(?:\(\w+\))?: (\w+): (.*)$/.exec(l)).filter((x) => x !== null)
    .map(([, index, kind, details]): MediaStream => {
      const type = streamType(kind!.toLowerCase());
      return {
        index: Number(index), type, codec: /^[\w-]+/.exec(details!)?.[0] ?? 'unknown', attachedPicture: details!.endsWith(' (attached pic)'),
        ...(type === 'audio' ? optional('channels', dumpChannels(details!)) : {}),
      };
    }).sort((a, b) => a.index - b.index);
  if (streams.some((st, i) => st.index !== i)) return null;
  const durationSeconds = h === undefined ? null : positive(Number(h) * 3600 + Number(m) * 60 + Number(sec)) ?? null;
  return { formatName: format[1]!, durationSeconds, streams };
}

/** `…, 44100 Hz, stereo, fltp, …` → 2; layouts other than mono and stereo (5.1, quad…) are left unknown. */
function dumpChannels(details: string): number | undefined {
  const layout = / Hz, ([^,]+),/.exec(details)?.[1];
  if (layout === 'mono' || layout === '1 channels') return 1;
  if (layout === 'stereo' || layout === '2 channels') return 2;
  return undefined;
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
