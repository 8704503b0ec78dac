import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4IndexAndData } from '../helpers/mp4.js';
import { ffprobe, makeAudio, makeVideo, mediaDir } from '../previews/media.fixtures.js';
import { creatorAsset, createMediaApp, fetchFile, filesUnder, settled, upload, type MediaTestApp } from './helpers.js';

/** Upload → scan → thumbnail → preview through the API and the real job system, checked with ffprobe. */

const dir = mediaDir();
const src: Record<string, Buffer> = {};
let m: MediaTestApp;

beforeAll(async () => {
  const f = (name: string) => path.join(dir.path, name);
  await Promise.all([
    makeVideo(f('clip.mp4'), { size: '960x540', seconds: 12 }),
    makeVideo(f('short.mp4'), { size: '320x240', seconds: 4 }),
    makeAudio(f('long.wav'), { seconds: 35 }),
    makeAudio(f('short.flac'), { seconds: 5 }),
  ]);
  for (const name of ['clip.mp4', 'short.mp4', 'long.wav', 'short.flac']) src[name] = await readFile(f(name));
  m = await createMediaApp();
});
afterAll(() => m?.close());

const urlOf = (kind: 'thumbnail' | 'preview', id: string) => new RegExp(`^/api/assets/${id}/${kind}\\?v=[0-9a-f]{16}$`);

async function probeServed(bytes: Buffer, name: string) {
  const file = path.join(dir.path, name);
  await writeFile(file, bytes);
  return ffprobe(file);
}

describe('video uploads', () => {
  it('scans, makes 200/400/800 px thumbnails and a 10 s 1280x720 H.264 preview, merging the metadata', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO', { license: 'CC-BY', nested: { kept: true } });
    const res = await upload(t, session, assetId, src['clip.mp4']!, 'holiday.mp4');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      mimeType: 'video/mp4', fileSize: src['clip.mp4']!.length, scanStatus: 'PENDING', previewUrl: null, thumbnailUrl: null,
      metadata: { license: 'CC-BY', nested: { kept: true }, previewGenerated: false, upload: { fileName: 'holiday.mp4', mimeType: 'video/mp4' } },
    });

    const asset = await settled(t, session, assetId);
    expect(asset.scanStatus).toBe('CLEAN');
    expect(asset.thumbnailUrl).toMatch(urlOf('thumbnail', assetId));
    expect(asset.previewUrl).toMatch(urlOf('preview', assetId));
    expect(asset.metadata).toMatchObject({
      license: 'CC-BY', nested: { kept: true }, scanResult: { scanner: 'none' },
      previewGenerated: true, previewDuration: 10, previewGeneratedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(asset.metadata.scanResult).toEqual({ scanner: 'none' });
    expect(asset.metadata).not.toHaveProperty('previewError');
    expect(asset.metadata).not.toHaveProperty('previewLastAttempt');

    const preview = await fetchFile(t, session, asset.previewUrl);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('video/mp4');
    expect(preview.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(preview.bytes.length).toBe(asset.metadata.previewSize);
    const p = await probeServed(preview.bytes, 'served.mp4');
    const video = p.streams.find((s) => s.codec_type === 'video')!;
    const audio = p.streams.find((s) => s.codec_type === 'audio')!;
    expect([video.codec_name, video.width, video.height, video.pix_fmt]).toEqual(['h264', 1280, 720, 'yuv420p']);
    expect(Number(video.bit_rate)).toBeGreaterThan(500_000);
    expect(Number(video.bit_rate)).toBeLessThan(1_500_000);
    expect([audio.codec_name, Math.round(Number(audio.bit_rate) / 10_000)]).toEqual(['aac', 13]);
    expect(Number(p.format.duration)).toBeGreaterThan(9.9);
    expect(Number(p.format.duration)).toBeLessThan(10.2);
    // +faststart: the index (moov) comes before the media data, so playback starts while downloading.
    expect(mp4IndexAndData(preview.bytes)).toEqual(['moov', 'mdat']);

    for (const width of [200, 400, 800]) {
      const thumb = await fetchFile(t, session, `${asset.thumbnailUrl}&size=${width}`);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width, height: Math.round((width * 540) / 960) });
    }
    const job = (await t.app.queues.get('file-preview-generation').getJobs(['completed'])).find((j) => j.data.assetId === assetId);
    expect(job?.progress).toBe(100);
    expect(job?.returnvalue).toMatchObject({ outcome: 'made', durationSeconds: 10 });
    expect(await filesUnder(m.tmpDir)).toEqual([]);
  });

  it('makes a shorter preview of a shorter video (from 10 % to the end)', async () => {
    const { session, assetId } = await creatorAsset(m.t, 'VIDEO');
    expect((await upload(m.t, session, assetId, src['short.mp4']!, 'short.mp4')).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset.metadata).toMatchObject({ previewGenerated: true, previewDuration: 3.6 });
    const p = await probeServed((await fetchFile(m.t, session, asset.previewUrl)).bytes, 'short-served.mp4');
    expect(Number(p.format.duration)).toBeGreaterThan(3.5);
    expect(Number(p.format.duration)).toBeLessThan(3.8);
  });
});

describe('audio uploads', () => {
  it('makes the first 30 s as MP3 128k, and no thumbnail', async () => {
    const { session, assetId } = await creatorAsset(m.t, 'AUDIO');
    expect((await upload(m.t, session, assetId, src['long.wav']!, 'song.wav')).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset).toMatchObject({ scanStatus: 'CLEAN', thumbnailUrl: null, mimeType: 'audio/wav' });
    expect(asset.metadata).toMatchObject({ previewGenerated: true, previewDuration: 30 });
    const served = await fetchFile(m.t, session, asset.previewUrl);
    expect(served.headers.get('content-type')).toBe('audio/mpeg');
    const p = await probeServed(served.bytes, 'served.mp3');
    expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.bit_rate])).toEqual([['audio', 'mp3', '128000']]);
    expect(Number(p.format.duration)).toBeGreaterThan(29.9);
    expect(Number(p.format.duration)).toBeLessThan(30.2);
  });

  it('keeps a shorter source whole', async () => {
    const { session, assetId } = await creatorAsset(m.t, 'AUDIO');
    expect((await upload(m.t, session, assetId, src['short.flac']!, 'short.flac')).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset.metadata).toMatchObject({ previewGenerated: true, previewDuration: 5 });
    const p = await probeServed((await fetchFile(m.t, session, asset.previewUrl)).bytes, 'short.mp3');
    expect(Number(p.format.duration)).toBeGreaterThan(4.9);
    expect(Number(p.format.duration)).toBeLessThan(5.2);
  });
});

describe('image uploads', () => {
  it('makes 200/400/800 px WebP thumbnails, never upscaled, and no preview fields', async () => {
    const png = await sharp({ create: { width: 1000, height: 600, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const { session, assetId } = await creatorAsset(m.t, 'IMAGE', { camera: 'none' });
    expect((await upload(m.t, session, assetId, png, 'photo.png')).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset).toMatchObject({ scanStatus: 'CLEAN', mimeType: 'image/png', previewUrl: null, metadata: { camera: 'none', thumbnailGeneratedAt: expect.any(String) } });
    expect(asset.metadata).not.toHaveProperty('previewGenerated');
    for (const width of [200, 400, 800]) {
      const thumb = await fetchFile(m.t, session, `${asset.thumbnailUrl}&size=${width}`);
      expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width, height: (width * 600) / 1000 });
    }
  });

  it('records why a corrupt image has no thumbnail', async () => {
    const png = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#000' } }).png().toBuffer();
    const { session, assetId } = await creatorAsset(m.t, 'IMAGE');
    expect((await upload(m.t, session, assetId, png.subarray(0, 120), 'cut.png')).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset.thumbnailUrl).toBeNull();
    expect(asset.metadata.thumbnailError).toMatch(/^The image could not be read \(.+\)\.$/);
    expect(await m.t.app.queues.get('media-thumbnail').getJobCounts('failed')).toEqual({ failed: 0 });
  });
});
