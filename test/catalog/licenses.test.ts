import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { created, inbox, searchJobCount, searchJobsFor, withBrand, withCreator } from './helpers.js';

let t: TestApp;
let admin: Session;
let viewer: Session;
let creator: { session: Session; creatorId: string };
let acme: { session: Session; brandId: string };
let globex: { session: Session; brandId: string };
let published: Record<string, string>;
let draft: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  [admin, viewer, creator, acme, globex] = await Promise.all([t.admin(), t.user('VIEWER'), withCreator(t, 'Ada'), withBrand(t, 'Acme Pictures'), withBrand(t, 'Globex')]);
  published = await created(t, '/api/assets', creator.session, { title: 'Northern Lights', type: 'IMAGE', status: 'PUBLISHED' });
  draft = await created(t, '/api/assets', creator.session, { title: 'Unfinished', type: 'IMAGE' });
});
afterAll(() => t.close());

const START = '2026-01-01T00:00:00.000Z';
const license = (as: Session, body: Record<string, unknown> = {}) => created(t, '/api/licenses', as, { assetId: published.id, startsAt: START, ...body });

describe('creating licenses', () => {
  it('creates a PENDING license for the caller\'s brand and notifies the asset\'s creator in the same transaction', async () => {
    const res = await t.call('POST', '/api/licenses', {
      as: acme.session, body: { assetId: published.id, terms: 'Print only', startsAt: START, endsAt: '2026-12-31T00:00:00+02:00' },
    });
    expect(res.status).toBe(201);
    const id = res.body.data.id;
    expect(res.body.data).toEqual({
      id: expect.any(String), assetId: published.id, brandId: acme.brandId, status: 'PENDING', terms: 'Print only', startsAt: START,
      endsAt: '2026-12-30T22:00:00.000Z', version: 1, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const notes = await inbox(t, creator.session, 'LICENSE');
    expect(notes).toEqual([expect.objectContaining({
      type: 'LICENSE', title: 'New license for "Northern Lights"', actionUrl: `/licenses/${id}`,
      message: expect.stringContaining('Acme Pictures'), metadata: { licenseId: id, assetId: published.id, brandId: acme.brandId, status: 'PENDING' },
    })]);
    expect(await inbox(t, acme.session, 'LICENSE')).toEqual([]);
    expect(await searchJobsFor(t, id)).toEqual([{ queue: 'search-index-update', payload: { entityType: 'license', entityId: id } }]);
    // One transaction: now() is its start time, shared by the license, the notification and both outbox rows.
    const rows = await sql<{ queue: string }>`
      SELECT queue FROM outbox WHERE created_at = (SELECT created_at FROM licenses WHERE id = ${id})
      UNION ALL SELECT 'notification' FROM notifications WHERE created_at = (SELECT created_at FROM licenses WHERE id = ${id})`.execute(t.app.database.db);
    expect(rows.rows.map((r) => r.queue).sort()).toEqual(['notification', 'notification-delivery', 'search-index-update']);
  });

  it('needs a brand profile, the brand\'s own id, and an asset the brand can see', async () => {
    expect((await t.call('POST', '/api/licenses', { as: creator.session, body: { assetId: published.id, startsAt: START } })).status).toBe(403);
    expect((await t.call('POST', '/api/licenses', { as: acme.session, body: { assetId: published.id, startsAt: START, brandId: globex.brandId } })).status).toBe(403);
    for (const assetId of [draft.id, randomUUID(), 'garbage']) {
      const res = await t.call('POST', '/api/licenses', { as: acme.session, body: { assetId, startsAt: START } });
      expect(res.body).toEqual({ success: false, error: 'Asset not found' });
    }
    const byAdmin = await license(admin, { brandId: globex.brandId, assetId: draft.id, status: 'ACTIVE' });
    expect(byAdmin).toMatchObject({ brandId: globex.brandId, assetId: draft.id, status: 'ACTIVE' });
    expect((await inbox(t, creator.session, 'LICENSE')).map((n) => n.actionUrl)).toContain(`/licenses/${byAdmin.id}`);
  });

  it('rejects bad dates, unknown statuses and keys with 400, writing nothing', async () => {
    const before = await searchJobCount(t);
    const notesBefore = (await inbox(t, creator.session, 'LICENSE')).length;
    for (const body of [
      { assetId: published.id, startsAt: START, endsAt: '2025-01-01T00:00:00Z' }, { assetId: published.id, startsAt: 'tomorrow' },
      { assetId: published.id }, { assetId: published.id, startsAt: START, status: 'SIGNED' }, { assetId: published.id, startsAt: START, price: 3 },
      { assetId: published.id, startsAt: START, terms: 't'.repeat(20_001) },
    ]) {
      const res = await t.call('POST', '/api/licenses', { as: acme.session, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error).toBe('Invalid request body');
    }
    expect(await searchJobCount(t)).toBe(before);
    expect(await inbox(t, creator.session, 'LICENSE')).toHaveLength(notesBefore);
  });
});

describe('license visibility and changes', () => {
  it('shows a license only to its parties and admins', async () => {
    const made = await license(acme.session);
    for (const as of [creator.session, acme.session, admin]) expect((await t.call('GET', `/api/licenses/${made.id}`, { as })).status).toBe(200);
    for (const as of [globex.session, viewer]) {
      expect((await t.call('GET', `/api/licenses/${made.id}`, { as })).body).toEqual({ success: false, error: 'License not found' });
      expect((await t.call('PATCH', `/api/licenses/${made.id}`, { as, body: { status: 'ACTIVE' } })).status).toBe(404);
      expect((await t.call('DELETE', `/api/licenses/${made.id}`, { as })).status).toBe(404);
    }
    const ids = async (as: Session, query = '') => (await t.call('GET', `/api/licenses?pageSize=100${query}`, { as })).body.data.map((l: { id: string }) => l.id);
    expect(await ids(creator.session)).toContain(made.id);
    expect(await ids(acme.session, `&brandId=${acme.brandId}&status=PENDING`)).toContain(made.id);
    expect(await ids(globex.session)).not.toContain(made.id);
    expect(await ids(viewer)).toEqual([]);
    expect(await ids(admin, `&assetId=${published.id}`)).toContain(made.id);
    expect(await ids(admin, '&assetId=garbage')).toEqual([]);
  });

  it('lets the creator change only the status; the brand and admins change anything, dates checked against stored ones', async () => {
    const made = await license(acme.session, { endsAt: '2026-06-01T00:00:00Z' });
    const accepted = await t.call('PATCH', `/api/licenses/${made.id}`, { as: creator.session, body: { status: 'ACTIVE' } });
    expect(accepted.body.data).toMatchObject({ status: 'ACTIVE', version: 2 });
    expect((await t.call('PATCH', `/api/licenses/${made.id}`, { as: creator.session, body: { terms: 'Free for all' } })).status).toBe(403);
    expect((await t.call('PATCH', `/api/licenses/${made.id}`, { as: acme.session, body: { terms: 'Web only', endsAt: null } })).body.data)
      .toMatchObject({ terms: 'Web only', endsAt: null, status: 'ACTIVE', version: 3 });
    const bad = await t.call('PATCH', `/api/licenses/${made.id}`, { as: acme.session, body: { endsAt: '2025-06-01T00:00:00Z' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toEqual(['endsAt']);
    expect((await t.call('PATCH', `/api/licenses/${made.id}`, { as: admin, body: { status: 'TERMINATED' } })).body.data.status).toBe('TERMINATED');
    expect(await searchJobsFor(t, made.id)).toHaveLength(4);
  });

  it('lets the brand and admins delete; the creator gets 403', async () => {
    const made = await license(acme.session);
    expect((await t.call('DELETE', `/api/licenses/${made.id}`, { as: creator.session })).status).toBe(403);
    expect((await t.call('DELETE', `/api/licenses/${made.id}`, { as: acme.session })).body).toEqual({ success: true });
    expect((await t.call('GET', `/api/licenses/${made.id}`, { as: admin })).status).toBe(404);
    expect((await searchJobsFor(t, made.id)).map((j) => j.payload.entityType)).toEqual(['license', 'license']);
  });
});
