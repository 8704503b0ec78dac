import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, makeVideo, mediaDir } from '../previews/media.fixtures.js';
import { creatorAsset, createMediaApp, filesUnder, settled, upload, type MediaTestApp } from './helpers.js';

/**
 * Bad input through the API: refused at the door with a clear error (nothing stored), or accepted
 * and ending in a clear previewError. Never a crash, a stuck or failed job, or a temp file left.
 */

const LIMIT = 1_000_000;
const dir = mediaDir();
const src: Record<string, Buffer> = {};
let m: MediaTestApp;

/** An MP4 file-type header (sniffed as video/mp4) followed by junk. */
const fakeMp4 = (junk: number) => Buffer.concat([Buffer.from('00000018667479706973366d0000020069736f6d69736f32', 'hex'), randomBytes(junk)]);

beforeAll(async () => {
  const f = (name: string) => path.join(dir.path, name);
  await Promise.all([
    makeVideo(f('source.mp4'), { size: '320x240', seconds: 4, extra: ['-movflags', '+faststart'] }),
    // Three hours in 30 frames: one every 6 minutes.
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=blue:size=64x64:rate=1/360:duration=10800', '-c:v', 'libx264', '-preset', 'ultrafast', f('three-hours.mp4')]),
  ]);
  const whole = await readFile(f('source.mp4'));
  // Index first, then cut: it still probes as 4 s, but most of the media data is missing.
  src.cut = whole.subarray(0, Math.floor(whole.length * 0.4));
  src.threeHours = await readFile(f('three-hours.mp4'));
  src.png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toBuffer();
  m = await createMediaApp({ UPLOAD_MAX_BYTES: String(LIMIT) });
});
afterAll(() => m?.close());

describe('refused at upload, nothing stored', () => {
  it('refuses a zero-length file, a script named .mp4, the wrong type and a file over the limit', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO');
    const empty = await upload(t, session, assetId, new Uint8Array(0), 'empty.mp4');
    expect([empty.status, empty.body.error]).toEqual([400, 'The file is empty (0 bytes).']);

    const script = await upload(t, session, assetId, Buffer.from('#!/usr/bin/env bash\nrm -rf "$HOME"\n'), 'movie.mp4');
    expect(script.status).toBe(415);
    expect(script.body.error).toBe('The file\'s content is text (a script or document), not a VIDEO file. Its name is not trusted: the type comes from its bytes.');
    expect(script.body.details).toEqual({ detectedMimeType: 'text/plain', detectedType: 'OTHER', assetType: 'VIDEO' });

    const image = await upload(t, session, assetId, src.png!, 'clip.mp4');
    expect([image.status, image.body.details.detectedMimeType]).toEqual([415, 'image/png']);

    // Streamed past the limit (refused by the byte counter) and declared past it (refused unread).
    for (const size of [LIMIT + 20_000, 3 * LIMIT]) {
      const big = await upload(t, session, assetId, fakeMp4(size), 'big.mp4');
      expect([big.status, big.body.error]).toEqual([413, `The file is larger than the limit of ${LIMIT} bytes`]);
    }
    const asset = await t.call('GET', `/api/assets/${assetId}`, { as: session });
    expect(asset.body.data).toMatchObject({ storageKey: null, fileSize: null, scanStatus: 'PENDING', metadata: null });
    expect(await filesUnder(m.storageDir)).toEqual([]);
  });

  it('answers 404 for another user\'s asset (even a published one), a missing or malformed id', async () => {
    const { t } = m;
    const { session: owner, assetId } = await creatorAsset(t, 'VIDEO');
    const stranger = (await creatorAsset(t, 'VIDEO')).session;
    const bytes = fakeMp4(1000);
    expect((await upload(t, stranger, assetId, bytes)).body).toEqual({ success: false, error: 'Asset not found' });
    expect((await t.call('PATCH', `/api/assets/${assetId}`, { as: owner, body: { status: 'PUBLISHED' } })).status).toBe(200);
    expect((await upload(t, stranger, assetId, bytes)).status).toBe(404);
    expect((await upload(t, stranger, '00000000-0000-4000-8000-000000000000', bytes)).status).toBe(404);
    expect((await upload(t, stranger, 'nope', bytes)).status).toBe(404);
    const json = await t.call('POST', `/api/assets/${assetId}/file`, { as: owner, body: { file: 'x' } });
    expect([json.status, json.body.details[0].code]).toEqual([400, 'invalid_content_type']);
    expect(await filesUnder(m.storageDir)).toEqual([]);
  });
});

describe('accepted, then a clear previewError', () => {
  const cases = [
    { name: 'a truncated video', bytes: () => src.cut!, error: /^The file is truncated or corrupt: its preview came out .* long instead of 3\.6 s\.$/ },
    { name: 'corrupt bytes behind an MP4 header', bytes: () => fakeMp4(50_000), error: /^The file is not a readable audio or video file/ },
    { name: 'a 3-hour video', bytes: () => src.threeHours!, error: /^The media is 3:00:00 long; previews are made for media up to 2:00:00\.$/ },
  ];
  for (const c of cases) {
    it(`records why ${c.name} has no preview, with no job failed or stuck and no temp file left`, async () => {
      const { t } = m;
      const { session, assetId } = await creatorAsset(t, 'VIDEO', { keep: 'me' });
      expect((await upload(t, session, assetId, c.bytes(), 'video.mp4')).status).toBe(200);
      const asset = await settled(t, session, assetId);
      expect(asset).toMatchObject({ scanStatus: 'CLEAN', previewUrl: null });
      expect(asset.metadata).toMatchObject({ keep: 'me', previewGenerated: false, previewLastAttempt: expect.stringMatching(/^\d{4}-/) });
      expect(asset.metadata.previewError).toMatch(c.error);
      for (const q of ['media-scan', 'media-thumbnail', 'file-preview-generation'] as const) {
        const queue = t.app.queues.get(q);
        // The hourly media sweep's next run waits in media-scan as a delayed scheduler job.
        const delayed = (await queue.getJobs(['delayed'])).filter((j) => !j.id?.startsWith('repeat:')).length;
        expect({ ...(await queue.getJobCounts('failed', 'active', 'waiting')), delayed }, q).toEqual({ failed: 0, active: 0, waiting: 0, delayed: 0 });
      }
      expect(await filesUnder(m.tmpDir)).toEqual([]);
    });
  }
});
