import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Benchmark media made with lavfi (Debian's ffmpeg): a testsrc video with a tone, and a tone. */

const run = promisify(execFile);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { maxBuffer: 16 * 1024 * 1024 });
}

/** MPEG-4 Part 2 at q 5: quick to make, and a source the preview must really decode (not stream-copy). */
export async function makeBenchVideo(file: string, size: string, seconds: number): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-movflags', '+faststart', file,
  ]);
  return file;
}

/** 16-bit stereo WAV: what an uncompressed master upload looks like. */
export async function makeBenchAudio(file: string, seconds: number): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-ac', '2', '-c:a', 'pcm_s16le', file]);
  return file;
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(3));
  if (sorted.length === 0) return { n: 0, mean: 0, p50: 0, max: 0 };
  return {
    n: sorted.length,
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: round(sorted[Math.floor((sorted.length - 1) / 2)]!),
    max: round(sorted.at(-1)!),
  };
}
