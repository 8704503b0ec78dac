import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_SCANNER_WARNING } from '../../src/media/media.health.js';
import { inbox } from '../catalog/helpers.js';
import { EICAR, requireClamd, startRealClamd, startStubClamd } from './clamd.fixtures.js';
import { creatorAsset, createMediaApp, filesUnder, settled, upload, type MediaTestApp } from './helpers.js';

/** The scan gate: INFECTED stops the pipeline, deletes the file and tells the uploader. */

const fakeMp4 = (tail: string) => Buffer.concat([Buffer.from('00000018667479706973366d0000020069736f6d69736f32', 'hex'), Buffer.alloc(4000, 7), Buffer.from(tail)]);

async function expectInfected(m: MediaTestApp, signature: RegExp) {
  const { t } = m;
  const { session, assetId } = await creatorAsset(t, 'OTHER', { note: 'kept' });
  const res = await upload(t, session, assetId, Buffer.from(`${EICAR}\n`), 'readme.txt');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const asset = await settled(t, session, assetId);
  expect(asset).toMatchObject({ scanStatus: 'INFECTED', storageKey: null, fileSize: null, thumbnailUrl: null, previewUrl: null });
  expect(asset.metadata).toMatchObject({ note: 'kept', scanResult: { scanner: 'clamav', result: 'infected', signature: expect.stringMatching(signature) } });
  expect(await filesUnder(m.storageDir)).toEqual([]);
  const [notice] = await inbox(t, session, 'SYSTEM');
  expect(notice).toMatchObject({ title: 'Upload removed: a virus was found', priority: 'HIGH', metadata: { assetId } });
  expect(notice!.message).toMatch(signature);
  return { session, assetId };
}

describe('without a scanner', () => {
  let m: MediaTestApp;
  beforeAll(async () => {
    m = await createMediaApp();
  });
  afterAll(() => m?.close());

  it('marks uploads CLEAN with scanResult { scanner: "none" } and warns on the health report', async () => {
    const { session, assetId } = await creatorAsset(m.t, 'OTHER');
    expect((await upload(m.t, session, assetId, Buffer.from(EICAR))).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect([asset.scanStatus, asset.metadata.scanResult]).toEqual(['CLEAN', { scanner: 'none' }]);
    const health = await m.t.call('GET', '/api/admin/jobs/health', { as: await m.t.admin() });
    expect(health.body.data.previews).toMatchObject({ healthy: true, warnings: [NO_SCANNER_WARNING] });
  });
});

describe('with clamd (a protocol stand-in; see clamd.fixtures.ts)', () => {
  let m: MediaTestApp;
  let clamd: Awaited<ReturnType<typeof startStubClamd>>;
  beforeAll(async () => {
    clamd = await startStubClamd({ maxBytes: 100_000 });
    m = await createMediaApp({ CLAMAV_URL: clamd.url });
  });
  afterAll(async () => {
    await m?.close();
    await clamd?.stop();
  });

  it('stops an infected upload, deletes it and notifies the uploader with SYSTEM', async () => {
    await expectInfected(m, /Eicar-Test-Signature/);
    const health = await m.t.call('GET', '/api/admin/jobs/health', { as: await m.t.admin() });
    expect(health.body.data.previews.healthy).toBe(true);
    expect(health.body.data.previews).not.toHaveProperty('warnings');
  });

  it('records a previewError on an infected video, and passes clean files on to the next step', async () => {
    const { t } = m;
    const video = await creatorAsset(t, 'VIDEO');
    expect((await upload(t, video.session, video.assetId, fakeMp4(EICAR))).status).toBe(200);
    const infected = await settled(t, video.session, video.assetId);
    expect(infected.metadata).toMatchObject({ previewGenerated: false, previewError: 'The file was removed: the virus scan found Eicar-Test-Signature.' });

    const clean = await creatorAsset(t, 'OTHER');
    expect((await upload(t, clean.session, clean.assetId, Buffer.from('just text'))).status).toBe(200);
    const asset = await settled(t, clean.session, clean.assetId);
    expect(asset.scanStatus).toBe('CLEAN');
    expect(asset.metadata.scanResult).toMatchObject({ scanner: 'clamav', result: 'clean', scannedAt: expect.any(String) });
  });

  it('marks a file clamd refuses as too large ERROR, with the job failed for an admin to see', async () => {
    const { t } = m;
    const { session, assetId } = await creatorAsset(t, 'VIDEO');
    expect((await upload(t, session, assetId, fakeMp4('x'.repeat(200_000)))).status).toBe(200);
    const asset = await settled(t, session, assetId);
    expect(asset.scanStatus).toBe('ERROR');
    expect(asset.metadata.previewError).toBe('The virus scan could not be completed: clamd answered: INSTREAM size limit exceeded. ERROR');
    const failed = await t.app.queues.get('media-scan').getJobs(['failed']);
    expect(failed.map((j) => [j.data.assetId, j.attemptsMade])).toEqual([[assetId, 1]]);
  });
});

describe('with clamd unreachable', () => {
  let m: MediaTestApp;
  beforeAll(async () => {
    const gone = await startStubClamd();
    await gone.stop();
    m = await createMediaApp({ CLAMAV_URL: gone.url, JOB_ATTEMPTS: '2' });
  });
  afterAll(() => m?.close());

  it('retries, then marks the scan ERROR; the health report names clamd', async () => {
    const { session, assetId } = await creatorAsset(m.t, 'OTHER');
    expect((await upload(m.t, session, assetId, Buffer.from('text'))).status).toBe(200);
    const asset = await settled(m.t, session, assetId);
    expect(asset.scanStatus).toBe('ERROR');
    expect(asset.metadata.scanResult.error).toMatch(/^clamd unreachable: connect ECONNREFUSED/);
    const health = await m.t.call('GET', '/api/admin/jobs/health', { as: await m.t.admin() });
    expect(health.body.data.previews.healthy).toBe(false);
    expect(health.body.data.previews.problems).toContain(`media-scan: clamd at ${m.t.app.config.media.clamavUrl} does not answer`);
  });
});

describe('with a real clamd and a signature database written by the test', () => {
  let m: MediaTestApp;
  let dir: string;
  let clamd: Awaited<ReturnType<typeof startRealClamd>>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'herald-clamd-'));
    // Without clamd this fails (never skips), naming the package to install.
    clamd = await startRealClamd(requireClamd(), dir);
    m = await createMediaApp({ CLAMAV_URL: clamd.url });
  }, 90_000);
  afterAll(async () => {
    await m?.close();
    await clamd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the EICAR string, deletes the file and notifies the uploader', async () => {
    await expectInfected(m, /Herald-Test-EICAR/);
  });
});
