import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { searchJobCount, searchJobsFor, withBrand, withCreator } from './helpers.js';

let t: TestApp;
let admin: Session;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp();
  [admin, viewer] = await Promise.all([t.admin(), t.user('VIEWER')]);
});
afterAll(() => t.close());

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('creators', () => {
  it('creates the caller\'s profile with normalized specialties, once (409 on a second)', async () => {
    const me = await t.user('CREATOR');
    const res = await t.call('POST', '/api/creators', { as: me, body: { stageName: '  Ada  ', bio: 'Painter', specialties: [' Oil Painting', 'oil   painting', 'MUSIC'] } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: { id: expect.any(String), userId: me.user.id, stageName: 'Ada', bio: 'Painter', specialties: ['oil painting', 'music'], version: 1, createdAt: ISO, updatedAt: ISO },
    });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'creator', entityId: res.body.data.id } }]);

    const again = await t.call('POST', '/api/creators', { as: me, body: { stageName: 'Ada again' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ success: false, error: 'Creator profile already exists for this user' });
  });

  it('lets only admins make a profile for another user, and only for a creator (or admin) account', async () => {
    const [target, other, brandUser] = await Promise.all([t.user('CREATOR'), t.user('CREATOR'), t.user('BRAND')]);
    expect((await t.call('POST', '/api/creators', { as: other, body: { stageName: 'X', userId: target.user.id } })).status).toBe(403);
    expect((await t.call('POST', '/api/creators', { as: viewer, body: { stageName: 'X' } })).body.error).toMatch(/creator profile needs a CREATOR or ADMIN account/);
    expect((await t.call('POST', '/api/creators', { as: admin, body: { stageName: 'X', userId: brandUser.user.id } })).status).toBe(403);
    expect((await t.call('POST', '/api/creators', { as: admin, body: { stageName: 'X', userId: 'not-an-id' } })).body).toEqual({ success: false, error: 'User not found' });
    expect((await t.call('POST', '/api/creators', { as: admin, body: { stageName: 'X', userId: randomUUID() } })).status).toBe(404);
    const made = await t.call('POST', '/api/creators', { as: admin, body: { stageName: 'For target', userId: target.user.id } });
    expect(made.status).toBe(201);
    expect(made.body.data.userId).toBe(target.user.id);
  });

  it('rejects unknown keys, oversized and missing fields with 400 and details, writing nothing', async () => {
    const me = await t.user('CREATOR');
    const before = await searchJobCount(t);
    for (const body of [{ stageName: 'A', version: 3 }, { stageName: 'x'.repeat(101) }, {}, { stageName: 'A', specialties: Array(31).fill('a') }, { stageName: 'A', bio: 'b'.repeat(5001) }]) {
      const res = await t.call('POST', '/api/creators', { as: me, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: expect.any(Array) });
    }
    expect(await searchJobCount(t)).toBe(before);
  });

  it('shows profiles to every signed-in user, pages the list and filters by specialty', async () => {
    const { creatorId } = await withCreator(t, 'Visible');
    const got = await t.call('GET', `/api/creators/${creatorId}`, { as: viewer });
    expect(got.status).toBe(200);
    expect(got.body.data.stageName).toBe('Visible');
    expect((await t.call('GET', '/api/creators/nope', { as: viewer })).body).toEqual({ success: false, error: 'Creator not found' });
    expect((await t.call('GET', `/api/creators/${randomUUID()}`, { as: viewer })).status).toBe(404);

    const page = await t.call('GET', '/api/creators?pageSize=2&page=1', { as: viewer });
    expect(page.body.pagination).toMatchObject({ page: 1, pageSize: 2 });
    expect(page.body.pagination.total).toBeGreaterThanOrEqual(3);
    expect(page.body.data).toHaveLength(2);
    const past = await t.call('GET', '/api/creators?page=999', { as: viewer });
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect((await t.call('GET', '/api/creators?pageSize=101', { as: viewer })).body.error).toBe('Invalid query parameters');
    const music = await t.call('GET', '/api/creators?specialty=MUSIC', { as: viewer });
    expect(music.body.data.every((c: { specialties: string[] }) => c.specialties.includes('music'))).toBe(true);
    expect(music.body.data.length).toBeGreaterThan(0);
    expect((await t.call('GET', '/api/creators?userId=garbage', { as: viewer })).body).toMatchObject({ data: [], pagination: { total: 0 } });
  });

  it('lets the owner and admins edit (version + 1, index job) and delete; others get 403', async () => {
    const { session, creatorId } = await withCreator(t, 'Before');
    const other = await withCreator(t);
    expect((await t.call('PATCH', `/api/creators/${creatorId}`, { as: other.session, body: { bio: 'hijack' } })).status).toBe(403);
    expect((await t.call('PATCH', `/api/creators/${creatorId}`, { as: session, body: {} })).status).toBe(400);
    const res = await t.call('PATCH', `/api/creators/${creatorId}`, { as: session, body: { stageName: 'After', specialties: ['Jazz'] } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ stageName: 'After', specialties: ['jazz'], bio: '', version: 2 });
    expect(Date.parse(res.body.data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.data.createdAt));
    expect((await t.call('PATCH', `/api/creators/${creatorId}`, { as: admin, body: { bio: 'by admin' } })).body.data.version).toBe(3);
    expect((await searchJobsFor(t, creatorId)).map((j) => j.queue)).toEqual(['search-index-update', 'search-index-update', 'search-index-update']);

    expect((await t.call('DELETE', `/api/creators/${creatorId}`, { as: other.session })).status).toBe(403);
    expect((await t.call('DELETE', `/api/creators/${creatorId}`, { as: session })).body).toEqual({ success: true });
    expect((await t.call('GET', `/api/creators/${creatorId}`, { as: session })).status).toBe(404);
    expect(await searchJobsFor(t, creatorId)).toHaveLength(4);
  });
});

describe('brands', () => {
  it('creates once per brand account, refuses creators, indexes nothing until it changes', async () => {
    const me = await t.user('BRAND');
    const res = await t.call('POST', '/api/brands', { as: me, body: { companyName: 'Acme' } });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({ id: expect.any(String), userId: me.user.id, companyName: 'Acme', version: 1, createdAt: ISO, updatedAt: ISO });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([]);
    expect((await t.call('POST', '/api/brands', { as: me, body: { companyName: 'Acme 2' } })).status).toBe(409);
    expect((await t.call('POST', '/api/brands', { as: await t.user('CREATOR'), body: { companyName: 'No' } })).status).toBe(403);

    const renamed = await t.call('PATCH', `/api/brands/${res.body.data.id}`, { as: me, body: { companyName: 'Acme Corp' } });
    expect(renamed.body.data).toMatchObject({ companyName: 'Acme Corp', version: 2 });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'brand', entityId: res.body.data.id } }]);
    expect((await t.call('GET', `/api/brands/${res.body.data.id}`, { as: viewer })).body.data.companyName).toBe('Acme Corp');
    expect((await t.call('GET', `/api/brands?userId=${me.user.id}`, { as: viewer })).body.data.map((b: { id: string }) => b.id)).toEqual([res.body.data.id]);
  });

  it('deleting a brand removes its projects, keeps their assets unlinked (new version) and indexes them', async () => {
    const { session, brandId } = await withBrand(t);
    const project = (await t.call('POST', '/api/projects', { as: session, body: { title: 'Launch', status: 'ACTIVE' } })).body.data;
    const { session: creator } = await withCreator(t);
    const asset = (await t.call('POST', '/api/assets', { as: creator, body: { title: 'In launch', type: 'IMAGE', projectId: project.id } })).body.data;
    expect(asset.projectId).toBe(project.id);
    expect((await t.call('DELETE', `/api/brands/${brandId}`, { as: creator })).status).toBe(403);
    expect((await t.call('DELETE', `/api/brands/${brandId}`, { as: session })).status).toBe(200);
    expect((await t.call('GET', `/api/projects/${project.id}`, { as: admin })).status).toBe(404);
    const after = (await t.call('GET', `/api/assets/${asset.id}`, { as: creator })).body.data;
    expect(after).toMatchObject({ projectId: null, version: 2 });
    expect((await searchJobsFor(t, asset.id)).map((j) => j.queue)).toEqual(['search-index-update', 'search-index-bulk']);
    expect((await searchJobsFor(t, brandId)).map((j) => j.payload.entityType)).toEqual(['brand']);
  });
});
