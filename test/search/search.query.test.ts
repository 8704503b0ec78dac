import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

let t: TestApp;
let admin: Session;
let creator: Session;
let otherCreator: Session;
let brand: Session;
let otherBrand: Session;
let viewer: Session;
const ids: Record<string, string> = {};

const search = (as: Session, path: string) => t.call('GET', path, { as });
const titles = (body: { data: { results: Array<{ title: string }> } }) => body.data.results.map((r) => r.title);

beforeAll(async () => {
  t = await createTestApp();
  [admin, creator, otherCreator, brand, otherBrand, viewer] = await Promise.all([
    t.admin(), t.user('CREATOR'), t.user('CREATOR'), t.user('BRAND'), t.user('BRAND'), t.user('VIEWER'),
  ]);
  const f = fixtures(t.app);
  ids.creator = await f.creator(creator.user.id, 'Marina Solano', { bio: 'Landscape photographer from the coast', specialties: ['photography', 'travel'] });
  ids.otherCreator = await f.creator(otherCreator.user.id, 'Theo Brandt', { bio: 'Composer of film scores', specialties: ['music'] });
  ids.brand = await f.brand(brand.user.id, 'Acme Outdoor');
  ids.otherBrand = await f.brand(otherBrand.user.id, 'Globex Media');
  ids.project = await f.project(ids.brand, 'Summer Campaign', { description: 'Beach visuals for the summer launch', status: 'ACTIVE' });
  ids.draftProject = await f.project(ids.brand, 'Secret Winter Campaign', { status: 'DRAFT' });
  ids.titleHit = await f.asset(ids.creator, 'Sunset over Lisbon', { description: 'Golden hour above the river', tags: ['city', 'golden hour'], projectId: ids.project });
  ids.bodyHit = await f.asset(ids.creator, 'River walk', { description: 'A calm evening walk that ends with a sunset', tags: ['city'] });
  ids.street = await f.asset(ids.creator, 'Street Photography Collection', { description: 'Candid people in Porto', tags: ['people'] });
  ids.dance = await f.asset(ids.otherCreator, 'Dance rehearsal soundtrack', { type: 'AUDIO', description: 'Percussion loops', tags: ['music'] });
  ids.draft = await f.asset(ids.creator, 'Unreleased sunset series', { status: 'DRAFT', tags: ['city'] });
  ids.html = await f.asset(ids.otherCreator, '<b>Bold</b> sunset & more', { description: '<script>alert(1)</script> sunset' });
  ids.license = await f.license(ids.titleHit, ids.brand, 'Exclusive sunset usage rights in Europe');
  ids.post = await f.post(admin.user.id, 'How we license sunset imagery', { excerpt: 'A guide for brands', content: 'Long form text about licensing' });
  ids.draftPost = await f.post(creator.user.id, 'Draft thoughts on sunset light', { status: 'DRAFT', assigneeId: otherCreator.user.id });
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('ranking and matching', () => {
  it('ranks a title match above a body match', async () => {
    const res = await search(viewer, '/api/search/assets?q=sunset');
    expect(res.status).toBe(200);
    const list = titles(res.body);
    // Both found, the title match first (a missing one fails here too).
    expect(list.filter((title) => title === 'Sunset over Lisbon' || title === 'River walk')).toEqual(['Sunset over Lisbon', 'River walk']);
    const scores = res.body.data.results.map((r: { relevanceScore: number }) => r.relevanceScore);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('stems words (dancing finds dance)', async () => {
    expect(titles((await search(viewer, '/api/search/assets?q=dancing')).body)).toEqual(['Dance rehearsal soundtrack']);
  });

  it('tolerates typos in titles and names', async () => {
    expect(titles((await search(viewer, '/api/search/assets?q=photgraphy')).body)).toContain('Street Photography Collection');
    expect(titles((await search(viewer, '/api/search/creators?q=marna%20solano')).body)).toEqual(['Marina Solano']);
  });

  it('matches a word being typed as a prefix', async () => {
    expect(titles((await search(viewer, '/api/search/assets?q=lisb')).body)).toEqual(['Sunset over Lisbon']);
    expect(titles((await search(viewer, '/api/search/unified?q=summer%20camp')).body)).toContain('Summer Campaign');
  });

  it('highlights matches, with user text escaped', async () => {
    const res = await search(viewer, '/api/search/assets?q=sunset');
    const lisbon = res.body.data.results.find((r: { title: string }) => r.title === 'Sunset over Lisbon');
    expect(lisbon.highlights.title).toBe('<mark>Sunset</mark> over Lisbon');
    const river = res.body.data.results.find((r: { title: string }) => r.title === 'River walk');
    expect(river.highlights.description).toContain('<mark>sunset</mark>');
    expect(river.highlights.title).toBeUndefined();
    const html = res.body.data.results.find((r: { id: string }) => r.id === ids.html);
    expect(html.highlights.title).toBe('&lt;b&gt;Bold&lt;/b&gt; <mark>sunset</mark> &amp; more');
    expect(html.highlights.description).toContain('<mark>sunset</mark>');
    expect(html.highlights.description).not.toContain('<script');
  });

  it('answers in the contract shape with facets over the whole match', async () => {
    const res = await search(viewer, '/api/search/unified?q=sunset&pageSize=2');
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(['executionTimeMs', 'facets', 'pagination', 'query', 'results']);
    expect(data.query).toBe('sunset');
    expect(data.results).toHaveLength(2);
    expect(Object.keys(data.results[0]).sort()).toEqual(['createdAt', 'description', 'entityType', 'highlights', 'id', 'metadata', 'relevanceScore', 'title', 'updatedAt']);
    // Visible to a viewer: 3 published assets and the published post (not the draft, license or draft post).
    expect(data.pagination).toEqual({ page: 1, pageSize: 2, total: 4, totalPages: 2, hasNextPage: true, hasPreviousPage: false, totalIsExact: true });
    expect(data.facets.entityTypes).toEqual({ asset: 3, blog_post: 1 });
    expect(data.facets.assetTypes).toEqual({ IMAGE: 3 });
    const page2 = (await search(viewer, '/api/search/unified?q=sunset&pageSize=2&page=2')).body.data;
    expect(page2.pagination).toMatchObject({ page: 2, hasNextPage: false, hasPreviousPage: true });
    expect([...data.results, ...page2.results].map((r: { id: string }) => r.id).sort()).toEqual([ids.titleHit, ids.bodyHit, ids.html, ids.post].sort());
    const typed = (await search(viewer, '/api/search/unified?q=sunset&types=blog_post')).body.data;
    expect(typed.results.map((r: { id: string }) => r.id)).toEqual([ids.post]);
    expect(typed.facets.entityTypes).toEqual({ asset: 3, blog_post: 1 });
  });

  it('filters assets by type, tags, project, creator, brand, status and dates', async () => {
    const q = (params: string) => search(admin, `/api/search/assets?q=sunset&${params}`).then((r) => r.body.data.results.map((x: { id: string }) => x.id).sort());
    expect(await q('tags=city')).toEqual([ids.titleHit, ids.bodyHit, ids.draft].sort());
    expect(await q('tags=city,golden%20hour')).toEqual([ids.titleHit]);
    expect(await q(`projectId=${ids.project}`)).toEqual([ids.titleHit]);
    expect(await q(`brandId=${ids.brand}`)).toEqual([ids.titleHit]);
    expect(await q(`creatorId=${ids.otherCreator}`)).toEqual([ids.html]);
    expect(await q('status=DRAFT')).toEqual([ids.draft]);
    expect(await q('assetType=AUDIO')).toEqual([]);
    expect(await q('from=2000-01-01&to=2999-01-01')).toHaveLength(4);
    expect(await q('to=2000-01-01')).toEqual([]);
    expect(await q('projectId=not-an-id')).toEqual([]);
    const creators = await search(viewer, '/api/search/creators?q=composer&specialties=music');
    expect(titles(creators.body)).toEqual(['Theo Brandt']);
    const projects = await search(viewer, `/api/search/projects?q=campaign&brandId=${ids.brand}&status=ACTIVE`);
    expect(titles(projects.body)).toEqual(['Summer Campaign']);
  });
});

describe('visibility', () => {
  const found = async (as: Session, q: string, id: string | undefined) =>
    (await search(as, `/api/search/unified?q=${encodeURIComponent(q)}`)).body.data.results.some((r: { id: string }) => r.id === id);

  it('shows a draft asset to its creator and admins only', async () => {
    expect(await found(creator, 'unreleased sunset', ids.draft)).toBe(true);
    expect(await found(admin, 'unreleased sunset', ids.draft)).toBe(true);
    expect(await found(viewer, 'unreleased sunset', ids.draft)).toBe(false);
    expect(await found(otherCreator, 'unreleased sunset', ids.draft)).toBe(false);
  });

  it('shows a draft project to its brand and admins only', async () => {
    expect(await found(brand, 'winter campaign', ids.draftProject)).toBe(true);
    expect(await found(admin, 'winter campaign', ids.draftProject)).toBe(true);
    expect(await found(otherBrand, 'winter campaign', ids.draftProject)).toBe(false);
    expect(await found(viewer, 'winter campaign', ids.draftProject)).toBe(false);
  });

  it('shows a license to its two parties and admins only', async () => {
    expect(await found(creator, 'exclusive europe', ids.license)).toBe(true);
    expect(await found(brand, 'exclusive europe', ids.license)).toBe(true);
    expect(await found(admin, 'exclusive europe', ids.license)).toBe(true);
    expect(await found(otherBrand, 'exclusive europe', ids.license)).toBe(false);
    expect(await found(otherCreator, 'exclusive europe', ids.license)).toBe(false);
    expect(await found(viewer, 'exclusive europe', ids.license)).toBe(false);
  });

  it('shows a draft post to its author, its assignee and admins only', async () => {
    expect(await found(creator, 'draft thoughts', ids.draftPost)).toBe(true);
    expect(await found(otherCreator, 'draft thoughts', ids.draftPost)).toBe(true);
    expect(await found(admin, 'draft thoughts', ids.draftPost)).toBe(true);
    expect(await found(viewer, 'draft thoughts', ids.draftPost)).toBe(false);
    expect(await found(brand, 'draft thoughts', ids.draftPost)).toBe(false);
  });
});

describe('bad input', () => {
  it('rejects an empty, blank or oversized q and unknown types with details', async () => {
    for (const path of ['/api/search/unified', '/api/search/unified?q=', '/api/search/unified?q=%20%20', `/api/search/assets?q=${'a'.repeat(201)}`,
      '/api/search/unified?q=x&types=asset,unicorn', '/api/search/assets?q=x&assetType=GIF', '/api/search/unified?q=x&pageSize=101', '/api/search/unified?q=x&bogus=1']) {
      const res = await search(viewer, path);
      expect(res.status, path).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error).toBe('Invalid query parameters');
      expect(Array.isArray(res.body.details), path).toBe(true);
    }
    expect((await search(viewer, `/api/search/assets?q=${'a'.repeat(200)}`)).status).toBe(200);
  });

  it('treats query syntax and SQL-looking text as text', async () => {
    for (const q of ['"unbalanced', 'sunset OR', '-', '!!! & | :* ()', "'; DROP TABLE users; --", 'a <-> b', '\\', '%_%', 'sunset:*', '😀']) {
      const res = await search(viewer, `/api/search/unified?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body.data.query).toBe(q.trim());
    }
    expect((await t.call('GET', '/api/auth/me', { as: viewer })).status).toBe(200);
    expect(titles((await search(viewer, '/api/search/assets?q=%22golden%20hour%22')).body)).toEqual(['Sunset over Lisbon']);
    expect(titles((await search(viewer, '/api/search/assets?q=%22golden%20river%22')).body)).toEqual([]);
    expect(titles((await search(viewer, '/api/search/assets?q=sunset%20-lisbon')).body)).not.toContain('Sunset over Lisbon');
  });

  it('needs a session', async () => {
    expect((await t.call('GET', '/api/search/unified?q=sunset')).status).toBe(401);
  });
});
