import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MediaError, resolveFfmpeg, withTempDir, type FfmpegBinaries } from '../../src/previews/ffmpeg.runner.js';
import { planPreview, renderPreview, renderVideoFrame } from '../../src/previews/preview.render.js';
import { ffmpeg, ffprobe, frameRgb, makeAudio, makeVideo, mediaDir, pillarboxWidth } from './media.fixtures.js';

const dir = mediaDir();
let bins: FfmpegBinaries;
const src: Record<string, string> = {};

beforeAll(async () => {
  bins = await resolveFfmpeg();
  const f = (name: string) => path.join(dir.path, name);
  await Promise.all([
    makeVideo(f('portrait.mp4'), { size: '720x1280', seconds: 3 }).then((p) => { src.portrait = p; }),
    makeAudio(f('long.wav'), { seconds: 40 }).then((p) => { src.longAudio = p; }),
    makeAudio(f('short.flac'), { seconds: 5 }).then((p) => { src.shortAudio = p; }),
    // Three hours in 30 frames: one every 6 minutes.
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=blue:size=64x64:rate=1/360:duration=10800', '-c:v', 'libx264', '-preset', 'ultrafast', f('three-hours.mp4')]).then(() => { src.threeHours = f('three-hours.mp4'); }),
  ]);
  // Index first, then cut: it still probes as 3 s, but most of the media data is missing.
  await ffmpeg(['-i', src.portrait!, '-c', 'copy', '-movflags', '+faststart', f('faststart.mp4')]);
  const whole = await readFile(f('faststart.mp4'));
  await writeFile(f('cut.mp4'), whole.subarray(0, Math.floor(whole.length * 0.4)));
  src.cut = f('cut.mp4');
  await writeFile(f('zero.mp4'), '');
  src.zero = f('zero.mp4');
  await writeFile(f('x.mp4'), '#!/usr/bin/env bash\nset -e\necho "not a video"\n');
  src.script = f('x.mp4');
});

describe('audio previews', () => {
  it('makes the first 30 s of a longer source as MP3 128k', async () => {
    await withTempDir(async (out) => {
      const preview = await renderPreview(bins, src.longAudio!, out);
      expect(preview).toMatchObject({ kind: 'audio', mime: 'audio/mpeg', file: path.join(out, 'preview.mp3'), plan: { start: 0, length: 30 } });
      const p = await ffprobe(preview.file);
      expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.bit_rate])).toEqual([['audio', 'mp3', '128000']]);
      expect(Number(p.format.duration)).toBeGreaterThan(29.9);
      expect(Number(p.format.duration)).toBeLessThanOrEqual(30.1);
    });
  });

  it('keeps a shorter source whole', async () => {
    await withTempDir(async (out) => {
      const preview = await renderPreview(bins, src.shortAudio!, out);
      expect(preview.plan.length).toBeCloseTo(5, 1);
      expect(preview.durationSeconds).toBeGreaterThan(4.9);
      expect(preview.durationSeconds).toBeLessThan(5.2);
    });
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['a zero-length file', () => src.zero!, /^The file is not a readable audio or video file \(.*Invalid data found when processing input\)\.$/],
    ['a script named x.mp4', () => src.script!, /^The file is not a readable audio or video file \(.*Invalid data found when processing input\)\.$/],
    ['a file cut after its index', () => src.cut!, /^The file is truncated or corrupt: its preview came out \d+\.\d s long instead of 2\.7 s\.$/],
    ['a 3-hour video', () => src.threeHours!, /^The media is 3:00:00 long; previews are made for media up to 2:00:00\.$/],
  ];
  for (const [label, file, message] of cases) {
    it(`${label}: a clear MediaError, and the job's temp directory is gone`, async () => {
      let tmp = '';
      const err = await withTempDir(async (out) => {
        tmp = out;
        await renderPreview(bins, file(), out);
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain(dir.path);
      expect(existsSync(tmp)).toBe(false);
    });
  }

  it('accepts the 3-hour video when the limit allows it', async () => {
    expect(await planPreview(bins, src.threeHours!, { limits: { maxDurationSeconds: 4 * 3600 } })).toMatchObject({ kind: 'video', start: 1080, length: 10 });
  });
});

describe('previews and frames, under the resource limits', () => {
  it('makes a fitted video preview, an MP3 and a frame, and refuses a script', async () => {
    expect(bins.limiter.kind).toBe('prlimit');
    await withTempDir(async (out) => {
      const preview = await renderPreview(bins, src.portrait!, out);
      const p = await ffprobe(preview.file);
      expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.width, s.height])).toEqual([['video', 'h264', 1280, 720], ['audio', 'aac', undefined, undefined]]);
      expect(pillarboxWidth(await frameRgb(preview.file, 0.5), 1280, 720)).toBeGreaterThanOrEqual(436);
      const audio = await renderPreview(bins, src.shortAudio!, out);
      expect((await ffprobe(audio.file)).streams.map((s) => s.codec_name)).toEqual(['mp3']);
      await renderVideoFrame(bins, src.portrait!, path.join(out, 'frame.png'));
      expect(await sharp(path.join(out, 'frame.png')).metadata()).toMatchObject({ width: 720, height: 1280 });
      await expect(renderPreview(bins, src.script!, out)).rejects.toThrow(/^The file is not a readable audio or video file/);
      expect((await readdir(out)).sort()).toEqual(['frame.png', 'preview.mp3', 'preview.mp4']);
    });
  });
});
