import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, withTempDir, type FfmpegBinaries } from '../../src/previews/ffmpeg.runner.js';
import { renderPreview, renderVideoFrame } from '../../src/previews/preview.render.js';
import { renderThumbnails } from '../../src/previews/thumbnails.js';
import { mp4IndexAndData } from '../helpers/mp4.js';
import { ffprobe, frameRgb, makeAudio, makeVideo, mediaDir, mirrored, pillarboxWidth } from './media.fixtures.js';

const dir = mediaDir();
let bins: FfmpegBinaries;
const src: Record<string, string> = {};

beforeAll(async () => {
  bins = await resolveFfmpeg();
  const f = (name: string) => path.join(dir.path, name);
  // 11.5 s is the shortest source with a full 10 s clip after its first 10 % (0.9 × d ≥ 10).
  await Promise.all([
    makeVideo(f('landscape.mp4'), { size: '1920x1080', seconds: 11.5 }).then((p) => { src.landscape = p; }),
    makeVideo(f('portrait.mp4'), { size: '720x1280', seconds: 3 }).then((p) => { src.portrait = p; }),
    makeVideo(f('four-three.mkv'), { size: '640x480', seconds: 3, audio: false }).then((p) => { src.fourThree = p; }),
    makeAudio(f('short.flac'), { seconds: 5 }).then((p) => { src.shortAudio = p; }),
  ]);
});

function videoStream(p: Awaited<ReturnType<typeof ffprobe>>) {
  return p.streams.find((s) => s.codec_type === 'video')!;
}

/** Video previews and frames on the real ffmpeg; audio, bad input and the static build are in preview.render.test.ts. */
describe('video previews', () => {
  it('makes 10 s of 1280x720 H.264 ~1000k + AAC 128k, faststart, from 10 % of a 1080p source', async () => {
    await withTempDir(async (out) => {
      const progress: number[] = [];
      const preview = await renderPreview(bins, src.landscape!, out, { onProgress: (f) => progress.push(f) });
      expect(preview).toMatchObject({ kind: 'video', mime: 'video/mp4', file: path.join(out, 'preview.mp4'), plan: { length: 10 } });
      expect(preview.plan.start).toBeCloseTo(1.15, 2);
      expect(preview.durationSeconds).toBeCloseTo(10, 0);
      expect(progress.at(-1)).toBe(1);
      expect(progress.length).toBeGreaterThan(1);

      const p = await ffprobe(preview.file);
      const v = videoStream(p);
      const a = p.streams.find((s) => s.codec_type === 'audio')!;
      expect(Number(p.format.duration)).toBeGreaterThan(9.9);
      expect(Number(p.format.duration)).toBeLessThan(10.2);
      expect([v.codec_name, v.width, v.height, v.pix_fmt, v.sample_aspect_ratio]).toEqual(['h264', 1280, 720, 'yuv420p', '1:1']);
      // testsrc is easy to compress, so x264's average lands under the target; the band is wide.
      expect(Number(v.bit_rate)).toBeGreaterThan(500_000);
      expect(Number(v.bit_rate)).toBeLessThan(1_500_000);
      expect([a.codec_name, a.channels]).toEqual(['aac', 2]);
      expect(Number(a.bit_rate)).toBeGreaterThan(100_000);
      expect(Number(a.bit_rate)).toBeLessThan(140_000);
      // +faststart: the index (moov) comes before the media data (mdat).
      const bytes = await readFile(preview.file);
      expect(mp4IndexAndData(bytes)).toEqual(['moov', 'mdat']);
      // A 16:9 source fills the frame: no pillarbox.
      expect(pillarboxWidth(await frameRgb(preview.file, 0.5), 1280, 720)).toBe(0);
    });
  });

  it('pads a portrait source left and right instead of stretching it, and shortens the clip', async () => {
    await withTempDir(async (out) => {
      const preview = await renderPreview(bins, src.portrait!, out);
      expect(preview.plan).toMatchObject({ start: 0.3, length: 2.7 });
      expect(preview.durationSeconds).toBeGreaterThan(2.5);
      expect(preview.durationSeconds).toBeLessThan(2.9);
      const v = videoStream(await ffprobe(preview.file));
      expect([v.width, v.height]).toEqual([1280, 720]);
      // 720x1280 fits as 404x720 (405 rounded to even): (1280 - 404) / 2 = 438 black columns each side.
      const rgb = await frameRgb(preview.file, 0.5);
      for (const bar of [pillarboxWidth(rgb, 1280, 720), pillarboxWidth(mirrored(rgb, 1280, 720), 1280, 720)]) {
        expect(bar).toBeGreaterThanOrEqual(436);
        expect(bar).toBeLessThanOrEqual(440);
      }
    });
  });

  it('pillarboxes 4:3 to 960x720 and makes a silent preview of a silent source', async () => {
    await withTempDir(async (out) => {
      const preview = await renderPreview(bins, src.fourThree!, out);
      const p = await ffprobe(preview.file);
      expect(p.streams.map((s) => s.codec_type)).toEqual(['video']);
      expect([videoStream(p).width, videoStream(p).height]).toEqual([1280, 720]);
      const rgb = await frameRgb(preview.file, 0.5);
      for (const bar of [pillarboxWidth(rgb, 1280, 720), pillarboxWidth(mirrored(rgb, 1280, 720), 1280, 720)]) {
        expect(bar).toBeGreaterThanOrEqual(158);
        expect(bar).toBeLessThanOrEqual(162);
      }
    });
  });

  it('grabs the thumbnail frame at 10 % and makes WebP thumbnails from it', async () => {
    await withTempDir(async (out) => {
      const frame = path.join(out, 'frame.png');
      const plan = await renderVideoFrame(bins, src.landscape!, frame);
      expect(plan.thumbnailAt).toBeCloseTo(1.15, 2);
      expect(await sharp(frame).metadata()).toMatchObject({ format: 'png', width: 1280, height: 720 });
      const thumbs = await renderThumbnails(frame);
      expect(thumbs.map((t) => [t.name, t.pixelWidth, t.pixelHeight])).toEqual([
        ['thumbnail-200.webp', 200, 113], ['thumbnail-400.webp', 400, 225], ['thumbnail-800.webp', 800, 450],
      ]);
      await expect(renderVideoFrame(bins, src.shortAudio!, path.join(out, 'none.png'))).rejects.toThrow('Audio files have no thumbnail.');
    });
  });
});
