import { randomUUID } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { withCreator } from '../catalog/helpers.js';
import { outboxDrained, queueIdle } from '../helpers/wait.js';
import { createMediaApp, fetchFile, filesUnder, settled, upload, type MediaTestApp } from './helpers.js';

/**
 * Deleting an owner deletes their files, whatever path removed the rows (asset delete, a creator's
 * cascade, a user's cascade in SQL); the sweep removes what a crash left behind: stored files no
 * row names and job temp folders of a killed worker, each only past the grace period.
 */

let m: MediaTestApp;
let png: Buffer;
const GRACE_MS = 3_600_000;

beforeAll(async () => {
  m = await createMediaApp({ MEDIA_SWEEP_GRACE_MS: String(GRACE_MS) });
  png = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
});
afterAll(() => m?.close());

/** A creator with `count` image assets, each uploaded and through its pipeline (original + 3 thumbnails). */
async function creatorWithImages(count: number) {
  const { session, creatorId } = await withCreator(m.t);
  const assetIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await m.t.call('POST', '/api/assets', { as: session, body: { title: `Image ${i}`, type: 'IMAGE' } });
    expect(res.status).toBe(201);
    expect((await upload(m.t, session, res.body.data.id, png, 'a.png')).status).toBe(200);
    assetIds.push(res.body.data.id);
  }
  for (const id of assetIds) expect((await settled(m.t, session, id)).thumbnailUrl).not.toBeNull();
  return { session, creatorId, assetIds };
}

const assetDir = (assetId: string) => path.join(m.storageDir, 'assets', assetId);

async function drained() {
  expect(await outboxDrained(m.t.app)).toBe(true);
  expect(await queueIdle(m.t.app, 'media-scan')).toBe(true);
  expect(await outboxDrained(m.t.app)).toBe(true);
}

async function runSweep(): Promise<{ scanned: number; removed: number; tempDirs: number }> {
  const queue = m.t.app.queues.get('media-scan');
  const job = await queue.add('MediaSweep', {});
  expect(await waitFor(async () => (await queue.getJob(job.id!))?.finishedOn !== undefined, 30_000, 50)).toBe(true);
  const done = (await queue.getJob(job.id!))!;
  expect(done.failedReason).toBeFalsy();
  return done.returnvalue;
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
async function age(file: string, when: Date) {
  await utimes(file, when, when);
}

describe('deleting owners deletes their files', () => {
  it('a creator deleted with its assets leaves none of their originals or thumbnails in storage', async () => {
    const { session, creatorId, assetIds } = await creatorWithImages(2);
    for (const id of assetIds) expect(await filesUnder(assetDir(id))).toHaveLength(4);

    const res = await m.t.call('DELETE', `/api/creators/${creatorId}`, { as: session });
    expect(res.status).toBe(200);
    await drained();
    for (const id of assetIds) {
      expect(await filesUnder(assetDir(id))).toEqual([]);
      await expect(stat(assetDir(id))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('a user deleted in SQL (creator and assets by cascade) leaves no files either', async () => {
    const { session, assetIds } = await creatorWithImages(1);
    await sql`DELETE FROM users WHERE id = ${session.user.id}`.execute(m.t.app.database.db);
    await drained();
    expect(await filesUnder(assetDir(assetIds[0]!))).toEqual([]);
  });

  it('an asset deleted through the API leaves no files', async () => {
    const { session, assetIds } = await creatorWithImages(1);
    expect((await m.t.call('DELETE', `/api/assets/${assetIds[0]}`, { as: session })).status).toBe(200);
    await drained();
    expect(await filesUnder(assetDir(assetIds[0]!))).toEqual([]);
  });
});

describe('the sweep', () => {
  it('removes files no row references once past the grace, keeps referenced and recent ones', async () => {
    const { session, assetIds } = await creatorWithImages(1);
    const assetId = assetIds[0]!;
    const referenced = await filesUnder(assetDir(assetId));
    expect(referenced).toHaveLength(4);
    // Old enough to go, were they unreferenced.
    for (const f of referenced) await age(path.join(assetDir(assetId), f), hoursAgo(3));

    // A crash between the storage write and the row: a replacement upload of this asset never
    // committed, and an upload whose asset row is gone; both old. And one that is still in flight.
    const orphans = [`${assetId}/${randomUUID()}/original`, `${randomUUID()}/${randomUUID()}/original`];
    const young = `${assetId}/${randomUUID()}/original`;
    for (const key of [...orphans, young]) {
      const file = path.join(m.storageDir, 'assets', ...key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'orphaned bytes');
    }
    for (const key of orphans) await age(path.join(m.storageDir, 'assets', ...key.split('/')), hoursAgo(2));

    const report = await runSweep();
    expect(report.removed).toBe(2);
    for (const key of orphans) await expect(stat(path.join(m.storageDir, 'assets', ...key.split('/')))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await filesUnder(path.join(m.storageDir, 'assets', young.split('/')[0]!))).toEqual(expect.arrayContaining([young.split('/').slice(1).join('/'), ...referenced]));
    const asset = (await m.t.call('GET', `/api/assets/${assetId}`, { as: session })).body.data;
    expect((await fetchFile(m.t, session, asset.thumbnailUrl)).status).toBe(200);
    expect((await fetchFile(m.t, session, `/api/assets/${assetId}/file`)).status).toBe(200);
  });

  it('removes job temp folders a killed worker left behind, and only those', async () => {
    await mkdir(m.tmpDir, { recursive: true });
    const stale = path.join(m.tmpDir, 'herald-preview-killed1');
    const fresh = path.join(m.tmpDir, 'herald-thumbnail-running');
    const foreign = path.join(m.tmpDir, 'someone-elses-old-folder');
    for (const dir of [stale, fresh, foreign]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'input'), 'x');
    }
    for (const dir of [stale, foreign]) {
      await age(path.join(dir, 'input'), hoursAgo(2));
      await age(dir, hoursAgo(2));
    }
    const report = await runSweep();
    expect(report.tempDirs).toBe(1);
    await expect(stat(stale)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(fresh)).isDirectory()).toBe(true);
    expect((await stat(foreign)).isDirectory()).toBe(true);
  });
});
