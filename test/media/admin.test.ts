import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { makeAudio, makeVideo, mediaDir } from '../previews/media.fixtures.js';
import { assetWhen, creatorAsset, createMediaApp, upload, type MediaTestApp } from './helpers.js';

/** POST /api/admin/jobs/previews/run { assetId } | { missing: true } and the list of assets missing a preview. */

const dir = mediaDir();
const src: Record<string, Buffer> = {};
let m: MediaTestApp;
let previewWorker: App | null = null;

beforeAll(async () => {
  src.audio = await readFile(await makeAudio(path.join(dir.path, 'a.wav'), { seconds: 3 }));
  src.video = await readFile(await makeVideo(path.join(dir.path, 'v.mp4'), { size: '320x240', seconds: 3 }));
  // No preview worker in this process: previews stay missing until the test starts one.
  m = await createMediaApp({}, { queues: QUEUE_NAMES.filter((q) => q !== 'file-preview-generation') });
});
afterAll(async () => {
  await previewWorker?.stop();
  await m?.close();
});

describe('admin preview re-runs', () => {
  it('refuses what cannot have a preview', async () => {
    const { t } = m;
    const admin = await t.admin();
    const run = (body: unknown) => t.call('POST', '/api/admin/jobs/previews/run', { as: admin, body });
    for (const body of [{}, { missing: false }, { assetId: 'x', missing: true }, { assetIds: [] }]) {
      expect([JSON.stringify(body), (await run(body)).status]).toEqual([JSON.stringify(body), 400]);
    }
    expect((await run({ assetId: '00000000-0000-4000-8000-000000000000' })).body).toEqual({ success: false, error: 'Asset not found' });
    expect((await run({ assetId: (await creatorAsset(t, 'IMAGE')).assetId })).body.error).toBe('Only VIDEO and AUDIO assets have previews; this one is IMAGE.');
    const empty = await run({ assetId: (await creatorAsset(t, 'VIDEO')).assetId });
    expect([empty.status, empty.body.error]).toEqual([409, 'The asset has no file to preview.']);
    const viewer = await t.user('VIEWER');
    expect((await t.call('POST', '/api/admin/jobs/previews/run', { as: viewer, body: { missing: true } })).status).toBe(403);
  });

  it('lists assets missing a preview, re-runs one or all of them, and the list empties', async () => {
    const { t } = m;
    const admin = await t.admin();
    const audio = await creatorAsset(t, 'AUDIO');
    const video = await creatorAsset(t, 'VIDEO');
    expect((await upload(t, audio.session, audio.assetId, src.audio!)).status).toBe(200);
    expect((await upload(t, video.session, video.assetId, src.video!)).status).toBe(200);
    await assetWhen(t, audio.session, audio.assetId, (a) => a.scanStatus === 'CLEAN');
    await assetWhen(t, video.session, video.assetId, (a) => a.thumbnailUrl !== null);

    const list = await t.call('GET', '/api/admin/jobs/previews?pageSize=10', { as: admin });
    expect(list.status).toBe(200);
    expect(list.body.pagination).toMatchObject({ page: 1, pageSize: 10, total: 2 });
    expect(list.body.data.map((a: { assetId: string }) => a.assetId).sort()).toEqual([audio.assetId, video.assetId].sort());
    expect(list.body.data[0]).toMatchObject({ scanStatus: 'CLEAN', previewError: null, previewLastAttempt: null, title: expect.any(String) });

    const one = await t.call('POST', '/api/admin/jobs/previews/run', { as: admin, body: { assetId: audio.assetId } });
    expect(one.status).toBe(202);
    expect(one.body.data.jobId).toEqual(expect.any(String));
    // A second click while the job waits joins it.
    expect((await t.call('POST', '/api/admin/jobs/previews/run', { as: admin, body: { assetId: audio.assetId } })).body.data.jobId).toBe(one.body.data.jobId);
    const all = await t.call('POST', '/api/admin/jobs/previews/run', { as: admin, body: { missing: true } });
    expect([all.status, all.body.data]).toEqual([202, { queued: 2 }]);
    // Through the outbox: the job exists once the relay moved the row.
    await expect.poll(async () => (await t.app.queues.get('file-preview-generation').getJob(one.body.data.jobId))?.data).toMatchObject({ assetId: audio.assetId, trigger: 'admin' });

    previewWorker = await t.sibling({ roles: ['worker'], queues: ['file-preview-generation'] });
    await assetWhen(t, audio.session, audio.assetId, (a) => a.metadata?.previewGenerated === true);
    await assetWhen(t, video.session, video.assetId, (a) => a.metadata?.previewGenerated === true);
    expect(await waitFor(async () => (await t.call('GET', '/api/admin/jobs/previews', { as: admin })).body.pagination.total === 0, 10_000)).toBe(true);
    const audit = await t.call('GET', '/api/admin/jobs/audit', { as: admin });
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['previews.run', 'previews.run-missing']));
  });
});
