import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

/**
 * The work a query may do is bounded (SEARCH_MAX_CANDIDATES, here its minimum 100), and the
 * answer says when it stopped there. A phrase is checked on the rows holding its words, at most
 * that many per tier: past them the total is a lower bound (totalIsExact false), never a
 * silently short exact count. Typos are matched through the words of titles as they are written.
 */
let t: TestApp;
let viewer: Session;

type Body = { data: { results: Array<{ title: string }>; pagination: { total: number; totalIsExact: boolean } } };
const search = async (q: string): Promise<Body['data']> => (await t.call('GET', `/api/search/unified?q=${encodeURIComponent(q)}`, { as: viewer })).body.data;

beforeAll(async () => {
  t = await createTestApp({ SEARCH_MAX_CANDIDATES: '100' });
  const [creator, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  viewer = v;
  const f = fixtures(t.app);
  const creatorId = await f.creator(creator.user.id, 'Wren Calloway');
  // 6 titles with the phrase, then 120 with both words apart: more rows hold the words than the
  // bound, and the phrase's rows come first (5 or more found: the typo stage, which matches words
  // and not phrases, stays out).
  await f.importAssets(creatorId, 6, (i) => `Amber falcon ${i}`);
  // Indexed before the next import is: the bulk jobs run concurrently, and the bound takes rows in
  // the index's (physical) order, so the phrase's rows are first only if they were written first.
  expect(await outboxDrained(t.app)).toBe(true);
  await f.importAssets(creatorId, 120, (i) => `Amber light over the falcon nest ${i}`);
  // 8 with a phrase and 12 with its words apart: fewer rows than the bound.
  await f.importAssets(creatorId, 8, (i) => `Quiet harbor at dawn ${i}`);
  await f.importAssets(creatorId, 12, (i) => `Harbor at dawn, quiet ${i}`);
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('bounded search work', () => {
  it('reports a phrase whose words fill more rows than the bound as a lower bound, with no false match', async () => {
    const data = await search('"amber falcon"');
    // 100 of the 126 rows holding both words are examined, in no set order (the plan's): the
    // phrase's rows found among them are a lower bound, and no wider stage adds word matches.
    expect(data.pagination.totalIsExact).toBe(false);
    expect(data.pagination.total).toBe(data.results.length);
    expect(data.results.length).toBeLessThanOrEqual(6);
    for (const r of data.results) expect(r.title).toMatch(/^Amber falcon \d$/);
  });

  it('counts a phrase exactly when its words are in fewer rows than the bound', async () => {
    const data = await search('"quiet harbor"');
    expect(data.pagination).toMatchObject({ total: 8, totalIsExact: true });
    expect(data.results.map((r) => r.title).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `Quiet harbor at dawn ${i}`));
  });

  it('reports a match cut at the bound as a lower bound', async () => {
    expect((await search('falcon')).pagination).toMatchObject({ total: 100, totalIsExact: false });
    expect((await search('harbor')).pagination).toMatchObject({ total: 20, totalIsExact: true });
  });

  it('finds a typo of a word that only titles indexed since the migration hold', async () => {
    const data = await search('falcn');
    expect(data.results.length).toBeGreaterThan(0);
    for (const r of data.results) expect(r.title.toLowerCase()).toContain('falcon');
  });
});
