import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { created, searchJobCount, searchJobsFor, withBrand, withCreator } from './helpers.js';

let t: TestApp;
let admin: Session;
let viewer: Session;
let ada: { session: Session; creatorId: string };
let bob: { session: Session; creatorId: string };
let brand: { session: Session; brandId: string };

beforeAll(async () => {
  t = await createTestApp();
  [admin, viewer, ada, bob, brand] = await Promise.all([t.admin(), t.user('VIEWER'), withCreator(t, 'Ada'), withCreator(t, 'Bob'), withBrand(t)]);
});
afterAll(() => t.close());

const asset = (as: Session, body: Record<string, unknown>) => created(t, '/api/assets', as, { type: 'IMAGE', ...body });

describe('creating assets', () => {
  it('returns every column as a camelCase view, system fields empty, tags normalized', async () => {
    const res = await t.call('POST', '/api/assets', {
      as: ada.session, body: { title: 'Sunset', description: 'Warm', type: 'IMAGE', tags: ['Beach', ' beach ', 'GOLDEN  hour'], metadata: { camera: 'X100' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String), creatorId: ada.creatorId, projectId: null, title: 'Sunset', description: 'Warm', type: 'IMAGE',
      tags: ['beach', 'golden hour'], status: 'DRAFT', storageKey: null, mimeType: null, fileSize: null, scanStatus: 'PENDING',
      thumbnailUrl: null, previewUrl: null, metadata: { camera: 'X100' }, version: 1, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'asset', entityId: res.body.data.id } }]);
  });

  it('needs a creator profile (403 with a clear message) and lets only admins name another creator', async () => {
    for (const as of [viewer, brand.session]) {
      const res = await t.call('POST', '/api/assets', { as, body: { title: 'X', type: 'IMAGE' } });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('Forbidden: a creator profile is required to create assets');
    }
    expect((await t.call('POST', '/api/assets', { as: bob.session, body: { title: 'X', type: 'IMAGE', creatorId: ada.creatorId } })).status).toBe(403);
    expect((await t.call('POST', '/api/assets', { as: admin, body: { title: 'X', type: 'IMAGE', creatorId: randomUUID() } })).body.error).toBe('Creator not found');
    expect((await asset(admin, { title: 'For Bob', creatorId: bob.creatorId })).creatorId).toBe(bob.creatorId);
  });

  it('rejects bad bodies with 400 (and no index job): unknown type, system fields, oversized values, preview keys', async () => {
    const before = await searchJobCount(t);
    const bodies = [
      { title: 'X', type: 'HOLOGRAM' }, { title: 'X', type: 'IMAGE', storageKey: 'k' }, { title: 'X', type: 'IMAGE', previewUrl: 'u' },
      { title: 'x'.repeat(201), type: 'IMAGE' }, { title: 'X', type: 'IMAGE', description: 'd'.repeat(10_001) },
      { title: 'X', type: 'IMAGE', tags: ['t'.repeat(51)] }, { title: 'X', type: 'IMAGE', tags: Array.from({ length: 31 }, (_, i) => `t${i}`) },
      { title: 'X', type: 'IMAGE', metadata: { previewGenerated: true } }, { title: 'X', type: 'IMAGE', metadata: { blob: 'b'.repeat(17_000) } },
      { title: 'X', type: 'IMAGE', metadata: [1, 2] }, { title: 'X', type: 'IMAGE', status: 'LIVE' },
    ];
    for (const body of bodies) {
      const res = await t.call('POST', '/api/assets', { as: ada.session, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: 'Invalid request body', details: expect.any(Array) });
    }
    const unknownType = await t.call('POST', '/api/assets', { as: ada.session, body: { title: 'X', type: 'HOLOGRAM' } });
    expect(unknownType.body.details[0].path).toEqual(['type']);
    expect(await searchJobCount(t)).toBe(before);
  });

  it('links a project only when it exists and the caller can see it (else 404)', async () => {
    const draft = await created(t, '/api/projects', brand.session, { title: 'Draft project' });
    const active = await created(t, '/api/projects', brand.session, { title: 'Active project', status: 'ACTIVE' });
    for (const projectId of [draft.id, randomUUID(), 'garbage']) {
      const res = await t.call('POST', '/api/assets', { as: ada.session, body: { title: 'X', type: 'IMAGE', projectId } });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('Project not found');
    }
    expect((await asset(ada.session, { title: 'In project', projectId: active.id })).projectId).toBe(active.id);
    expect((await asset(admin, { title: 'Admin in draft', projectId: draft.id, creatorId: ada.creatorId })).projectId).toBe(draft.id);
  });
});

describe('reading assets', () => {
  it('hides drafts and archived assets from everyone but their creator and admins, in gets and lists', async () => {
    const draft = await asset(bob.session, { title: 'Bob draft', type: 'VIDEO' });
    const archived = await asset(bob.session, { title: 'Bob archived', status: 'ARCHIVED' });
    const published = await asset(bob.session, { title: 'Bob published', status: 'PUBLISHED', tags: ['Sea'] });
    for (const hidden of [draft, archived]) {
      expect((await t.call('GET', `/api/assets/${hidden.id}`, { as: ada.session })).body).toEqual({ success: false, error: 'Asset not found' });
      expect((await t.call('GET', `/api/assets/${hidden.id}`, { as: bob.session })).status).toBe(200);
      expect((await t.call('GET', `/api/assets/${hidden.id}`, { as: admin })).status).toBe(200);
    }
    expect((await t.call('GET', `/api/assets/${published.id}`, { as: viewer })).status).toBe(200);
    expect((await t.call('GET', '/api/assets/not-an-id', { as: viewer })).status).toBe(404);

    const ids = async (as: Session, query: string) => (await t.call('GET', `/api/assets?pageSize=100&${query}`, { as })).body.data.map((a: { id: string }) => a.id);
    expect(await ids(viewer, `creatorId=${bob.creatorId}`)).toEqual([published.id]);
    expect(await ids(bob.session, `creatorId=${bob.creatorId}`)).toEqual(expect.arrayContaining([draft.id, archived.id, published.id]));
    expect(await ids(bob.session, `creatorId=${bob.creatorId}&type=VIDEO`)).toEqual([draft.id]);
    expect(await ids(admin, `creatorId=${bob.creatorId}&status=ARCHIVED`)).toEqual([archived.id]);
    expect(await ids(viewer, 'tag=SEA')).toEqual([published.id]);
    expect(await ids(viewer, 'creatorId=garbage')).toEqual([]);
    expect((await t.call('GET', '/api/assets?type=HOLOGRAM', { as: viewer })).status).toBe(400);
  });

  it('paginates with totals', async () => {
    const { session, creatorId } = await withCreator(t);
    for (let i = 0; i < 3; i++) await asset(session, { title: `Page ${i}` });
    const res = await t.call('GET', `/api/assets?creatorId=${creatorId}&pageSize=2&page=2`, { as: session });
    expect(res.body.pagination).toEqual({ page: 2, pageSize: 2, total: 3, totalPages: 2 });
    expect(res.body.data).toHaveLength(1);
  });
});

describe('changing assets', () => {
  it('merges metadata (unrelated keys kept, null removes a key) and bumps the version', async () => {
    const made = await asset(ada.session, { title: 'Meta', metadata: { camera: 'X100', iso: 200, lens: '23mm' } });
    await t.app.database.db.updateTable('ip_assets').set({ metadata: JSON.stringify({ camera: 'X100', iso: 200, lens: '23mm', previewGenerated: true }) }).where('id', '=', made.id).execute();
    const res = await t.call('PATCH', `/api/assets/${made.id}`, { as: ada.session, body: { metadata: { iso: 400, lens: null, place: 'Oslo' } } });
    expect(res.status).toBe(200);
    expect(res.body.data.metadata).toEqual({ camera: 'X100', iso: 400, place: 'Oslo', previewGenerated: true });
    expect(res.body.data.version).toBe(2);
    const titled = await t.call('PATCH', `/api/assets/${made.id}`, { as: ada.session, body: { title: 'Renamed', tags: ['A', 'a'] } });
    expect(titled.body.data).toMatchObject({ title: 'Renamed', tags: ['a'], metadata: { camera: 'X100', iso: 400, place: 'Oslo', previewGenerated: true }, version: 3 });
    expect(await searchJobsFor(t, made.id)).toHaveLength(3);
  });

  it('lets only the creator and admins edit and delete; others get 403 on a published asset, 404 on a draft', async () => {
    const published = await asset(ada.session, { title: 'Ada public', status: 'PUBLISHED' });
    const draft = await asset(ada.session, { title: 'Ada private' });
    expect((await t.call('PATCH', `/api/assets/${published.id}`, { as: bob.session, body: { title: 'Mine' } })).status).toBe(403);
    expect((await t.call('PATCH', `/api/assets/${draft.id}`, { as: bob.session, body: { title: 'Mine' } })).status).toBe(404);
    expect((await t.call('PATCH', `/api/assets/${published.id}`, { as: ada.session, body: { scanStatus: 'CLEAN' } })).status).toBe(400);
    expect((await t.call('PATCH', `/api/assets/${published.id}`, { as: admin, body: { status: 'ARCHIVED' } })).body.data.status).toBe('ARCHIVED');
    expect((await t.call('DELETE', `/api/assets/${draft.id}`, { as: bob.session })).status).toBe(404);
    expect((await t.call('DELETE', `/api/assets/${draft.id}`, { as: ada.session })).body).toEqual({ success: true });
    expect((await t.call('GET', `/api/assets/${draft.id}`, { as: ada.session })).status).toBe(404);
    expect((await searchJobsFor(t, draft.id)).map((j) => j.payload.entityType)).toEqual(['asset', 'asset']);
  });

  it('reaches the search index once the jobs ran', async () => {
    const made = await asset(ada.session, { title: 'Quetzalcoatl mural', status: 'PUBLISHED' });
    expect(await outboxDrained(t.app)).toBe(true);
    const res = await t.call('GET', '/api/search/assets?q=quetzalcoatl', { as: viewer });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.data)).toContain(made.id);
  });
});

describe('bulk import', () => {
  it('creates many assets in one transaction with bulk index jobs', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ title: `Bulk ${i}`, type: i % 2 ? 'AUDIO' : 'IMAGE', tags: ['Bulk'], status: 'PUBLISHED' }));
    const res = await t.call('POST', '/api/assets/bulk', { as: bob.session, body: { assets: items } });
    expect(res.status).toBe(201);
    expect(res.body.data.map((a: { title: string }) => a.title)).toEqual(items.map((i) => i.title));
    expect(res.body.data.every((a: { creatorId: string; tags: string[] }) => a.creatorId === bob.creatorId && a.tags[0] === 'bulk')).toBe(true);
    const jobs = await searchJobsFor(t, res.body.data[0].id);
    expect(jobs).toEqual([{ queue: 'search-index-bulk', payload: { entityType: 'asset', entityIds: res.body.data.map((a: { id: string }) => a.id) } }]);
  });

  it('is all or nothing: one unusable project fails the import with the item\'s path', async () => {
    const before = await searchJobCount(t);
    const count = async () => (await t.call('GET', `/api/assets?creatorId=${bob.creatorId}`, { as: bob.session })).body.pagination.total;
    const total = await count();
    const res = await t.call('POST', '/api/assets/bulk', { as: bob.session, body: { assets: [{ title: 'ok', type: 'IMAGE' }, { title: 'bad', type: 'IMAGE', projectId: randomUUID() }] } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'Project not found', details: [{ path: ['assets', 1, 'projectId'] }] });
    expect((await t.call('POST', '/api/assets/bulk', { as: bob.session, body: { assets: [] } })).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({ title: 'x', type: 'IMAGE' }));
    expect((await t.call('POST', '/api/assets/bulk', { as: bob.session, body: { assets: tooMany } })).status).toBe(400);
    expect((await t.call('POST', '/api/assets/bulk', { as: viewer, body: { assets: [{ title: 'x', type: 'IMAGE' }] } })).status).toBe(403);
    expect(await count()).toBe(total);
    expect(await searchJobCount(t)).toBe(before);
  });

  it('takes the full 1,000 assets', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ title: `Mass ${i}`, type: 'DOCUMENT', description: 'd'.repeat(500), tags: ['mass'] }));
    const res = await t.call('POST', '/api/assets/bulk', { as: ada.session, body: { assets: items } });
    expect(res.status).toBe(201);
    expect(res.body.data).toHaveLength(1000);
  });
});
