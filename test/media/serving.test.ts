import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../helpers/context.js';
import { makeAudio, mediaDir } from '../previews/media.fixtures.js';
import { creatorAsset, createMediaApp, fetchFile, settled, upload, type MediaTestApp } from './helpers.js';

/** GET /api/assets/:id/file|thumbnail|preview: who may read them, Range, validators and cache headers. */

const dir = mediaDir();
let m: MediaTestApp;
let owner: Session;
let assetId: string;
let previewUrl: string;
let original: Buffer;
let preview: Buffer;

beforeAll(async () => {
  original = await readFile(await makeAudio(path.join(dir.path, 'tone.wav'), { seconds: 6 }));
  m = await createMediaApp();
  ({ session: owner, assetId } = await creatorAsset(m.t, 'AUDIO'));
  expect((await upload(m.t, owner, assetId, original, 'Tëst tone.wav')).status).toBe(200);
  previewUrl = (await settled(m.t, owner, assetId)).previewUrl;
  preview = (await fetchFile(m.t, owner, previewUrl)).bytes;
  expect(preview.length).toBeGreaterThan(1000);
});
afterAll(() => m?.close());

describe('range requests on the preview', () => {
  it('answers a byte range with 206 and Content-Range', async () => {
    const res = await fetchFile(m.t, owner, previewUrl, { range: 'bytes=0-99' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-99/${preview.length}`);
    expect(res.headers.get('content-length')).toBe('100');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.bytes.equals(preview.subarray(0, 100))).toBe(true);
  });

  it('answers open-ended and suffix ranges, clipping the end to the file', async () => {
    const open = await fetchFile(m.t, owner, previewUrl, { range: 'bytes=100-' });
    expect(open.status).toBe(206);
    expect(open.headers.get('content-range')).toBe(`bytes 100-${preview.length - 1}/${preview.length}`);
    expect(open.bytes.equals(preview.subarray(100))).toBe(true);
    const suffix = await fetchFile(m.t, owner, previewUrl, { range: 'bytes=-50' });
    expect(suffix.status).toBe(206);
    expect(suffix.bytes.equals(preview.subarray(preview.length - 50))).toBe(true);
    const past = await fetchFile(m.t, owner, previewUrl, { range: `bytes=10-${preview.length + 1000}` });
    expect(past.headers.get('content-range')).toBe(`bytes 10-${preview.length - 1}/${preview.length}`);
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const res = await fetchFile(m.t, owner, previewUrl, { range: `bytes=${preview.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${preview.length}`);
    expect(JSON.parse(res.bytes.toString())).toEqual({ success: false, error: 'Range not satisfiable' });
  });

  it('sends the whole file for a range it does not support, or one of an older version (If-Range)', async () => {
    const multi = await fetchFile(m.t, owner, previewUrl, { range: 'bytes=0-1,5-6' });
    expect([multi.status, multi.bytes.length]).toEqual([200, preview.length]);
    const stale = await fetchFile(m.t, owner, previewUrl, { range: 'bytes=0-9', 'if-range': '"another-version"' });
    expect([stale.status, stale.bytes.length]).toEqual([200, preview.length]);
  });
});

describe('validators and caching', () => {
  it('caches the current version for good, revalidates anything else, and answers 304 to its ETag', async () => {
    const current = await fetchFile(m.t, owner, previewUrl);
    const etag = current.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect(current.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(current.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    const bare = await fetchFile(m.t, owner, `/api/assets/${assetId}/preview`);
    expect(bare.headers.get('cache-control')).toBe('private, no-cache');
    const again = await fetchFile(m.t, owner, `/api/assets/${assetId}/preview`, { 'if-none-match': etag });
    expect([again.status, again.bytes.length]).toEqual([304, 0]);
    const head = await fetch(m.t.url + previewUrl, { method: 'HEAD', headers: { authorization: `Bearer ${owner.token}` } });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(preview.length)]);
  });

  it('refuses a repeated version parameter with 400 (it once answered 500)', async () => {
    const res = await m.t.call('GET', `/api/assets/${assetId}/preview?v=a&v=b`, { as: owner });
    expect(res).toMatchObject({ status: 400, body: { success: false, error: 'Invalid query parameters' } });
  });
});

describe('who may read the files', () => {
  it('gives the owner the original as a download with its name', async () => {
    const res = await fetchFile(m.t, owner, `/api/assets/${assetId}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="T_st tone.wav"; filename*=UTF-8''T%C3%ABst%20tone.wav`);
    expect(res.bytes.equals(original)).toBe(true);
    const part = await fetchFile(m.t, owner, `/api/assets/${assetId}/file`, { range: 'bytes=0-3' });
    expect([part.status, part.bytes.toString()]).toEqual([206, 'RIFF']);
  });

  it('hides a draft asset\'s files from other users, and a published one\'s original', async () => {
    const other = await m.t.user('VIEWER');
    for (const kind of ['file', 'preview', 'thumbnail']) {
      const res = await m.t.call('GET', `/api/assets/${assetId}/${kind}`, { as: other });
      expect([kind, res.status, res.body.error]).toEqual([kind, 404, 'Asset not found']);
    }
    expect((await m.t.call('PATCH', `/api/assets/${assetId}`, { as: owner, body: { status: 'PUBLISHED' } })).status).toBe(200);
    expect((await fetchFile(m.t, other, `/api/assets/${assetId}/preview`)).status).toBe(200);
    const file = await m.t.call('GET', `/api/assets/${assetId}/file`, { as: other });
    expect([file.status, file.body.error]).toEqual([404, 'File not found']);
    expect((await fetchFile(m.t, await m.t.admin(), `/api/assets/${assetId}/file`)).status).toBe(200);
  });

  it('answers 404 for files that do not exist, and 401 without a session', async () => {
    expect((await m.t.call('GET', `/api/assets/${assetId}/thumbnail`, { as: owner })).body.error).toBe('File not found');
    expect((await m.t.call('GET', '/api/assets/not-an-id/preview', { as: owner })).status).toBe(404);
    expect((await m.t.call('GET', `/api/assets/${assetId}/thumbnail?size=123`, { as: owner })).status).toBe(400);
    expect((await m.t.call('GET', `/api/assets/${assetId}/preview`)).status).toBe(401);
  });
});
