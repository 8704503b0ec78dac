import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../helpers/context.js';
import { creatorAsset, createMediaApp, upload, type MediaTestApp } from './helpers.js';

/**
 * GET /api/assets/:id/file and /preview answer who may read what before what the query says, as
 * they did before the request schemas moved into Fastify (issue 22): an asset the caller may not
 * read, or one without that file, is its 404 whatever `v` holds; a bad `v` is a 400 only for a
 * file the caller may read. (The thumbnail validated its query first, and still does.)
 */

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const BAD_VERSIONS = [`v=${'x'.repeat(65)}`, 'v=a&v=b'];

let m: MediaTestApp;
let owner: Session;
let stranger: Session;
let withFile: string;
let withoutFile: string;

beforeAll(async () => {
  m = await createMediaApp();
  ({ session: owner, assetId: withFile } = await creatorAsset(m.t, 'IMAGE'));
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c00' } }).png().toBuffer();
  expect((await upload(m.t, owner, withFile, png, 'red.png')).status).toBe(200);
  withoutFile = (await m.t.call('POST', '/api/assets', { as: owner, body: { title: 'No file yet', type: 'AUDIO' } })).body.data.id;
  stranger = await m.t.user('VIEWER');
});
afterAll(() => m?.close());

describe('the 404s of the file routes come before a bad version\'s 400', () => {
  for (const route of ['file', 'preview']) {
    it(`/${route}: an unknown asset is a 404 whatever v says`, async () => {
      for (const q of BAD_VERSIONS) {
        const res = await m.t.call('GET', `/api/assets/${UNKNOWN}/${route}?${q}`, { as: owner });
        expect([res.status, res.body?.error], q).toEqual([404, 'Asset not found']);
      }
    });

    it(`/${route}: another user's asset is the same 404 as with a good v`, async () => {
      for (const asset of [withFile, withoutFile]) {
        const good = await m.t.call('GET', `/api/assets/${asset}/${route}?v=abc`, { as: stranger });
        expect(good.status).toBe(404);
        for (const q of BAD_VERSIONS) {
          const res = await m.t.call('GET', `/api/assets/${asset}/${route}?${q}`, { as: stranger });
          expect([res.status, res.body], q).toEqual([good.status, good.body]);
        }
      }
    });

    it(`/${route}: the owner's asset without that file is a 404 'File not found' whatever v says`, async () => {
      for (const q of BAD_VERSIONS) {
        const res = await m.t.call('GET', `/api/assets/${withoutFile}/${route}?${q}`, { as: owner });
        expect([res.status, res.body?.error], q).toEqual([404, 'File not found']);
      }
    });
  }

  it('/file: a bad v of a file the caller may read is still a 400', async () => {
    for (const q of BAD_VERSIONS) {
      const res = await m.t.call('GET', `/api/assets/${withFile}/file?${q}`, { as: owner });
      expect([res.status, res.body?.error], q).toEqual([400, 'Invalid query parameters']);
    }
  });
});
