import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEWS_OFF } from '../../src/media/media.tools.js';
import { ffmpeg, mediaDir } from '../previews/media.fixtures.js';
import { creatorAsset, createMediaApp, settled, upload, type MediaTestApp } from './helpers.js';

/**
 * Hostile media through the whole pipeline: ffmpeg runs under CPU, memory and output limits, and a
 * breach ends in a clear previewError (no retries, nothing stored); without ffmpeg, previews are off.
 */

const dir = mediaDir();
let noisy: Buffer;

beforeAll(async () => {
  // Noise defeats compression: its 10 s preview is well over 1 MB at 1000k and costs seconds of CPU.
  const file = path.join(dir.path, 'noisy.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=12,noise=alls=80:allf=t+u', '-c:v', 'mpeg4', '-q:v', '4', file]);
  noisy = await readFile(file);
});

async function previewOf(m: MediaTestApp) {
  const { session, assetId } = await creatorAsset(m.t, 'VIDEO');
  expect((await upload(m.t, session, assetId, noisy, 'noisy.mp4')).status).toBe(200);
  return { asset: await settled(m.t, session, assetId, 60_000), assetId };
}

async function storedNames(m: MediaTestApp, assetId: string): Promise<string[]> {
  const root = path.join(m.storageDir, 'assets', assetId);
  const uploads = await readdir(root);
  return (await Promise.all(uploads.map((u) => readdir(path.join(root, u))))).flat().sort();
}

describe('resource limits of decoding', () => {
  let m: MediaTestApp;
  afterAll(() => m?.close());

  it('an encode past PREVIEW_MAX_OUTPUT_MB is killed and the preview fails with a clear error', async () => {
    m = await createMediaApp({ PREVIEW_MAX_OUTPUT_MB: '1' });
    const { asset, assetId } = await previewOf(m);
    expect(asset.previewUrl).toBeNull();
    // The thumbnail's full-size frame of noise (a PNG of ~2.7 MB) breaks the same limit.
    const error = 'The conversion was stopped: its output grew past the limit of 1 MB.';
    expect(asset.metadata).toMatchObject({ previewGenerated: false, previewError: error, thumbnailError: error });
    // Nothing of the killed encode was stored, and it was not retried (one attempt, one error).
    expect(await storedNames(m, assetId)).not.toContain('preview.mp4');
    const failed = await m.t.app.queues.get('file-preview-generation').getJobCounts('failed');
    expect(failed.failed).toBe(0);
  }, 90_000);
});

describe('CPU limit', () => {
  let m: MediaTestApp;
  afterAll(() => m?.close());

  it('an encode past PREVIEW_CPU_SECONDS is stopped and the preview fails with a clear error', async () => {
    m = await createMediaApp({ PREVIEW_CPU_SECONDS: '1' });
    const { asset } = await previewOf(m);
    expect(asset.previewUrl).toBeNull();
    expect(asset.metadata).toMatchObject({ previewGenerated: false, previewError: 'The file could not be converted within the processing limit (1 s of CPU time).' });
  }, 90_000);
});

describe('without ffmpeg', () => {
  let m: MediaTestApp;
  afterAll(() => m?.close());

  it('previews are off: the health group says so with the fix, uploads say so without retrying', async () => {
    m = await createMediaApp({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    const admin = await m.t.admin();
    const health = await m.t.call('GET', '/api/admin/jobs/health', { as: admin });
    expect(health.status).toBe(200);
    expect(health.body.data.previews.healthy).toBe(false);
    expect(health.body.data.previews.problems).toContain(
      'Previews are off: FFMPEG_PATH /nonexistent/ffmpeg is not a working ffmpeg (apt-get install ffmpeg or set FFMPEG_PATH).',
    );
    const { asset } = await previewOf(m);
    expect(asset.metadata).toMatchObject({ previewGenerated: false, previewError: PREVIEWS_OFF, thumbnailError: PREVIEWS_OFF });
  }, 90_000);
});
