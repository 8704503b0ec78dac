import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { ffmpeg, mediaDir } from '../previews/media.fixtures.js';
import { assetWhen, creatorAsset, createMediaApp, upload, type MediaTestApp } from './helpers.js';

/**
 * A worker shut down in the middle of a preview encode (issue 20): past SHUTDOWN_TIMEOUT_MS the
 * encode is aborted (ffmpeg killed, temp folder removed) and the job goes back to waiting without
 * using one of its attempts; another worker then makes the preview. An API-only app and worker
 * siblings on its database and Redis prefix, as separate processes would be.
 */
const dir = mediaDir();
let noisy: Buffer;
let m: MediaTestApp;
const workers: App[] = [];

beforeAll(async () => {
  // Noise defeats compression: its 10 s preview costs seconds of CPU (niced), time to stop the worker in.
  const file = path.join(dir.path, 'noisy.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=12,noise=alls=80:allf=t+u', '-c:v', 'mpeg4', '-q:v', '4', file]);
  noisy = await readFile(file);
  m = await createMediaApp({ SHUTDOWN_TIMEOUT_MS: '200' }, { roles: ['api'] });
});

afterAll(async () => {
  for (const worker of workers) await worker.stop().catch(() => undefined);
  await m?.close();
});

describe('shutdown during a preview encode', () => {
  it('hands the job back to waiting with its attempts unchanged, and the next worker makes the preview', async () => {
    const first = await m.t.sibling({ roles: ['worker'] });
    workers.push(first);
    const { session, assetId } = await creatorAsset(m.t, 'VIDEO');
    expect((await upload(m.t, session, assetId, noisy, 'noisy.mp4')).status).toBe(200);

    // The encode is under way: ffmpeg has reported progress (5 is set before it starts).
    const queue = m.t.app.queues.get('file-preview-generation');
    let jobId: string | undefined;
    expect(await waitFor(async () => {
      const active = await queue.getActive();
      jobId = active.find((job) => typeof job.progress === 'number' && job.progress >= 10)?.id;
      return jobId !== undefined;
    }, 60_000, 50)).toBe(true);
    const before = (await queue.getJob(jobId!))!;
    expect(before.attemptsMade).toBe(0);

    await first.stop();
    const handedBack = (await queue.getJob(jobId!))!;
    expect(await handedBack.getState()).toBe('waiting');
    expect(handedBack.attemptsMade).toBe(before.attemptsMade);
    expect(handedBack.failedReason ?? null).toBeNull();
    // The aborted encode left nothing behind: its temp folder is gone with its ffmpeg.
    expect(await readdir(m.tmpDir).catch(() => [])).toEqual([]);
    expect((await m.t.call('GET', `/api/assets/${assetId}`, { as: session })).body.data.metadata.previewGenerated).toBe(false);

    const second = await m.t.sibling({ roles: ['worker'] });
    workers.push(second);
    const asset = await assetWhen(m.t, session, assetId, (a) => a.metadata?.previewGenerated === true || Boolean(a.metadata?.previewError), 120_000);
    expect(asset.metadata.previewError ?? null).toBeNull();
    // The handler records the preview before BullMQ marks its job completed: wait for that too.
    expect(await waitFor(async () => (await (await queue.getJob(jobId!))!.getState()) === 'completed', 30_000, 50)).toBe(true);
    const done = (await queue.getJob(jobId!))!;
    // One attempt: the one that completed. The interrupted run was handed back, not counted.
    expect(done.attemptsMade).toBe(1);
  }, 180_000);
});
