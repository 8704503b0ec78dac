import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

/**
 * Media made in the test with lavfi (Debian's ffmpeg, installed by .ci/run), in a directory removed
 * after the file. Sources are encoded fast (ultrafast, mpeg4); what is under test is the preview.
 */

const run = promisify(execFile);

export function mediaDir(): { readonly path: string } {
  const dir = { path: '' };
  beforeAll(async () => {
    dir.path = await mkdtemp(path.join(tmpdir(), 'herald-media-test-'));
  });
  afterAll(async () => {
    if (dir.path) await rm(dir.path, { recursive: true, force: true });
  });
  return dir;
}

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]).catch((err: NodeJS.ErrnoException) => {
    // A real part the suite needs fails, never skips, and says what to install.
    throw err.code === 'ENOENT' ? new Error('ffmpeg not found on the PATH: install the ffmpeg package (apt-get install ffmpeg, as .ci/run does); the media tests need it.', { cause: err }) : err;
  });
}

/** A testsrc video with a 440 Hz tone, or silent with audio: false. */
export async function makeVideo(file: string, o: { size: string; seconds: number; audio?: boolean; extra?: string[] }): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc=size=${o.size}:rate=25:duration=${o.seconds}`,
    ...(o.audio === false ? [] : ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${o.seconds}`]),
    // mpeg4 encodes a 1080p source about twice as fast as libx264 here; the source's codec does not matter.
    '-c:v', 'mpeg4', '-q:v', '8', ...(o.audio === false ? [] : ['-c:a', 'aac', '-ac', '2']), ...(o.extra ?? []), file,
  ]);
  return file;
}

export async function makeAudio(file: string, o: { seconds: number; extra?: string[] }): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${o.seconds}`, ...(o.extra ?? []), file]);
  return file;
}

export interface Probed {
  format: { duration?: string; bit_rate?: string; format_name?: string; tags?: Record<string, string> };
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; bit_rate?: string; pix_fmt?: string; sample_rate?: string; channels?: number; duration?: string; sample_aspect_ratio?: string }>;
}

/** ffprobe's own view of a file, independent of the code under test. */
export async function ffprobe(file: string): Promise<Probed> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as Probed;
}

/** One frame at `at` seconds as raw RGB, width×height×3 bytes. */
export async function frameRgb(file: string, at: number): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', String(at), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * Width of the black bar at the left of a frame: the fewest leading (near) black pixels of any row.
 * A picture that reaches the left edge somewhere gives 0.
 */
export function pillarboxWidth(rgb: Buffer, width: number, height: number): number {
  let min = width;
  for (let y = 0; y < height; y++) {
    let x = 0;
    for (; x < min; x++) {
      const i = (y * width + x) * 3;
      if (rgb[i]! > 24 || rgb[i + 1]! > 24 || rgb[i + 2]! > 24) break;
    }
    min = Math.min(min, x);
  }
  return min;
}

/** The frame mirrored left to right, to measure the right bar with pillarboxWidth. */
export function mirrored(rgb: Buffer, width: number, height: number): Buffer {
  const out = Buffer.alloc(rgb.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.copy(out, (y * width + (width - 1 - x)) * 3, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return out;
}
