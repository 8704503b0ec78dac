import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { created, searchJobCount, searchJobsFor, withBrand, withCreator } from './helpers.js';

let t: TestApp;
let admin: Session;
let viewer: Session;
let acme: { session: Session; brandId: string };
let globex: { session: Session; brandId: string };

beforeAll(async () => {
  t = await createTestApp();
  [admin, viewer, acme, globex] = await Promise.all([t.admin(), t.user('VIEWER'), withBrand(t, 'Acme'), withBrand(t, 'Globex')]);
});
afterAll(() => t.close());

describe('projects', () => {
  it('creates a DRAFT project for the caller\'s brand, with its index job in the same transaction', async () => {
    const res = await t.call('POST', '/api/projects', { as: acme.session, body: { title: 'Spring campaign', description: 'Posters' } });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String), brandId: acme.brandId, title: 'Spring campaign', description: 'Posters', status: 'DRAFT', version: 1,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(await searchJobsFor(t, res.body.data.id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'project', entityId: res.body.data.id } }]);
  });

  it('needs a brand profile (403), lets admins name any brand (and requires it), and no one else', async () => {
    const { session: creator } = await withCreator(t);
    const noBrand = await t.call('POST', '/api/projects', { as: creator, body: { title: 'X' } });
    expect(noBrand.body).toEqual({ success: false, error: 'Forbidden: a brand profile is required to create projects' });
    expect(noBrand.status).toBe(403);
    expect((await t.call('POST', '/api/projects', { as: acme.session, body: { title: 'X', brandId: globex.brandId } })).status).toBe(403);
    const missing = await t.call('POST', '/api/projects', { as: admin, body: { title: 'X' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].path).toEqual(['brandId']);
    expect((await t.call('POST', '/api/projects', { as: admin, body: { title: 'X', brandId: 'garbage' } })).body).toEqual({ success: false, error: 'Brand not found' });
    const byAdmin = await created(t, '/api/projects', admin, { title: 'For Globex', brandId: globex.brandId, status: 'ACTIVE' });
    expect(byAdmin.brandId).toBe(globex.brandId);
  });

  it('rejects an unknown status, unknown keys and oversized titles', async () => {
    const before = await searchJobCount(t);
    for (const body of [{ title: 'X', status: 'LIVE' }, { title: 'X', version: 2 }, { title: 'x'.repeat(201) }, { title: '   ' }]) {
      const res = await t.call('POST', '/api/projects', { as: acme.session, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('Invalid request body');
    }
    expect(await searchJobCount(t)).toBe(before);
  });

  it('hides drafts and archived projects from everyone but their brand and admins', async () => {
    const draft = await created(t, '/api/projects', acme.session, { title: 'Secret draft' });
    const archived = await created(t, '/api/projects', acme.session, { title: 'Old', status: 'ARCHIVED' });
    const active = await created(t, '/api/projects', acme.session, { title: 'Public', status: 'ACTIVE' });
    for (const hidden of [draft, archived]) {
      expect((await t.call('GET', `/api/projects/${hidden.id}`, { as: globex.session })).body).toEqual({ success: false, error: 'Project not found' });
      expect((await t.call('GET', `/api/projects/${hidden.id}`, { as: acme.session })).status).toBe(200);
      expect((await t.call('GET', `/api/projects/${hidden.id}`, { as: admin })).status).toBe(200);
      expect((await t.call('PATCH', `/api/projects/${hidden.id}`, { as: globex.session, body: { title: 'Mine' } })).status).toBe(404);
    }
    expect((await t.call('GET', `/api/projects/${active.id}`, { as: viewer })).status).toBe(200);

    const ids = async (as: Session, query = '') => (await t.call('GET', `/api/projects?brandId=${acme.brandId}&pageSize=100${query}`, { as })).body.data.map((p: { id: string }) => p.id);
    expect(await ids(viewer)).toContain(active.id);
    expect(await ids(viewer)).not.toContain(draft.id);
    expect(await ids(viewer)).not.toContain(archived.id);
    expect(await ids(acme.session)).toEqual(expect.arrayContaining([draft.id, archived.id, active.id]));
    expect(await ids(viewer, '&status=DRAFT')).toEqual([]);
    expect(await ids(admin, '&status=DRAFT')).toContain(draft.id);
  });

  it('pages the list without overlap', async () => {
    const { session, brandId } = await withBrand(t);
    for (let i = 0; i < 5; i++) await created(t, '/api/projects', session, { title: `P${i}` });
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await t.call('GET', `/api/projects?brandId=${brandId}&pageSize=2&page=${page}`, { as: session });
      expect(res.body.pagination).toEqual({ page, pageSize: 2, total: 5, totalPages: 3 });
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
    }
    expect(new Set(seen).size).toBe(5);
  });

  it('lets the brand and admins edit and delete; another brand gets 403 on a visible project', async () => {
    const project = await created(t, '/api/projects', acme.session, { title: 'Editable', status: 'ACTIVE' });
    expect((await t.call('PATCH', `/api/projects/${project.id}`, { as: globex.session, body: { title: 'Mine' } })).status).toBe(403);
    expect((await t.call('PATCH', `/api/projects/${project.id}`, { as: acme.session, body: { brandId: globex.brandId } })).status).toBe(400);
    const res = await t.call('PATCH', `/api/projects/${project.id}`, { as: acme.session, body: { status: 'COMPLETED', description: 'Done' } });
    expect(res.body.data).toMatchObject({ status: 'COMPLETED', description: 'Done', title: 'Editable', version: 2 });
    expect((await t.call('PATCH', `/api/projects/${project.id}`, { as: admin, body: { title: 'Renamed' } })).body.data.version).toBe(3);

    const { session: creator } = await withCreator(t);
    const asset = await created(t, '/api/assets', creator, { title: 'Linked', type: 'AUDIO', projectId: project.id });
    expect((await t.call('DELETE', `/api/projects/${project.id}`, { as: globex.session })).status).toBe(403);
    expect((await t.call('DELETE', `/api/projects/${project.id}`, { as: acme.session })).body).toEqual({ success: true });
    expect((await t.call('GET', `/api/projects/${project.id}`, { as: acme.session })).status).toBe(404);
    expect((await t.call('GET', `/api/assets/${asset.id}`, { as: creator })).body.data).toMatchObject({ projectId: null, version: 2 });
    expect((await searchJobsFor(t, project.id)).map((j) => j.payload.entityType)).toEqual(['project', 'project', 'project', 'project']);
  });
});
