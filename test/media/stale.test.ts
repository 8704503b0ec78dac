import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { QUEUE_NAMES } from '../../src/platform/queue/registry.js';
import { outboxDrained } from '../helpers/wait.js';
import { makeVideo, mediaDir } from '../previews/media.fixtures.js';
import { assetWhen, creatorAsset, createMediaApp, filesUnder, upload, type MediaTestApp } from './helpers.js';

/**
 * A job for an older upload never overwrites a newer one: the asset holds the storage key of its
 * current upload, and every result is written only while that key is still the job's.
 */

const dir = mediaDir();
const src: Record<string, Buffer> = {};
let m: MediaTestApp;
let previewWorker: App | null = null;

beforeAll(async () => {
  const f = (name: string) => path.join(dir.path, name);
  await Promise.all([makeVideo(f('long.mp4'), { size: '320x240', seconds: 6 }), makeVideo(f('short.mp4'), { size: '320x240', seconds: 4 })]);
  src.long = await readFile(f('long.mp4'));
  src.short = await readFile(f('short.mp4'));
  // This process runs every queue but the previews; a sibling runs them when a test wants it to.
  m = await createMediaApp({}, { queues: QUEUE_NAMES.filter((q) => q !== 'file-preview-generation') });
});
afterAll(async () => {
  await previewWorker?.stop();
  await m?.close();
});

const previews = () => m.t.app.queues.get('file-preview-generation');
const folderOf = (storageKey: string) => storageKey.split('/').slice(0, 3).join('/');

async function waitingPreviewOf(storageKey: string) {
  expect(await waitFor(async () => (await previews().getJobs(['waiting', 'prioritized'])).some((j) => j.data.storageKey === storageKey), 20_000)).toBe(true);
}

async function returnValueOf(storageKey: string) {
  let value: unknown;
  expect(await waitFor(async () => {
    value = (await previews().getJobs(['completed'])).find((j) => j.data.storageKey === storageKey)?.returnvalue;
    return value !== undefined;
  }, 25_000)).toBe(true);
  return value;
}

describe('stale results', () => {
  it('skips the preview of an upload replaced before its job ran, and deletes the old files', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO');
    const first = (await upload(t, session, assetId, src.long!, 'first.mp4')).body.data.storageKey as string;
    await waitingPreviewOf(first);
    const second = (await upload(t, session, assetId, src.short!, 'second.mp4')).body.data.storageKey as string;
    await waitingPreviewOf(second);
    // The first upload's files went with its replacement (the original and its thumbnails).
    expect(await waitFor(async () => !(await filesUnder(m.storageDir)).some((f) => f.startsWith(folderOf(first))), 10_000)).toBe(true);

    previewWorker = await t.sibling({ roles: ['worker'], queues: ['file-preview-generation'] });
    expect(await returnValueOf(first)).toEqual({ outcome: 'stale' });
    const asset = await assetWhen(t, session, assetId, (a) => a.metadata?.previewGenerated === true);
    expect(asset).toMatchObject({ storageKey: second, metadata: { previewDuration: 3.6, upload: { fileName: 'second.mp4' } } });
  });

  it('throws away a preview made while a newer upload arrived', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO');
    const first = (await upload(t, session, assetId, src.long!, 'first.mp4')).body.data.storageKey as string;
    // The first preview is encoding (ffmpeg reports progress) when the second upload commits.
    expect(await waitFor(async () => (await previews().getJobs(['active'])).some((j) => j.data.storageKey === first && Number(j.progress) >= 10), 20_000, 10)).toBe(true);
    const second = (await upload(t, session, assetId, src.short!, 'second.mp4')).body.data.storageKey as string;

    expect(await returnValueOf(first)).toEqual({ outcome: 'stale', durationSeconds: 5.4 });
    const asset = await assetWhen(t, session, assetId, (a) => a.storageKey === second && a.metadata?.previewGenerated === true);
    expect(asset.metadata).toMatchObject({ previewDuration: 3.6 });
    expect(await outboxDrained(t.app)).toBe(true);
    const files = await filesUnder(m.storageDir);
    expect(files.filter((f) => f.startsWith(folderOf(first)))).toEqual([]);
    expect(files.filter((f) => f.startsWith(folderOf(second)))).toEqual(
      ['original', 'preview.mp4', 'thumbnail-200.webp', 'thumbnail-400.webp', 'thumbnail-800.webp'].map((n) => `${folderOf(second)}/${n}`));
  });

  it('deletes an asset\'s files with the asset', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO');
    const key = (await upload(t, session, assetId, src.short!)).body.data.storageKey as string;
    await assetWhen(t, session, assetId, (a) => a.metadata?.previewGenerated === true);
    expect((await filesUnder(m.storageDir)).some((f) => f.startsWith(folderOf(key)))).toBe(true);
    expect((await t.call('DELETE', `/api/assets/${assetId}`, { as: session })).status).toBe(200);
    expect(await outboxDrained(t.app)).toBe(true);
    expect((await filesUnder(m.storageDir)).filter((f) => f.startsWith(folderOf(key)))).toEqual([]);
  });
});
