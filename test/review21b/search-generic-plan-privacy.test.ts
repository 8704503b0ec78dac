import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/client.js';
import { SEARCH_ENTITY_TYPES } from '../../src/platform/db/schema.js';
import { SearchRepository, type Viewer } from '../../src/search/search.repository.js';
import { searchText } from '../../src/search/search.text.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from '../search/fixtures.js';

/**
 * Review of issue 21 (a9c08e2: the search statement as a named prepared statement, generic plans;
 * the typo spellings' visibility from partial indexes). With generic plans forced from the first
 * call on one connection, and the owner of a draft and another viewer searching in turn on it, the
 * other viewer never sees the draft, nor a total, facet, tag or typo spelling that only the draft
 * holds; the owner sees it each time.
 */
let t: TestApp;
let owner: Viewer;
let other: Viewer;
let h: DbHandle;

beforeAll(async () => {
  t = await createTestApp();
  const [c, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  owner = { userId: c.user.id, admin: false };
  other = { userId: v.user.id, admin: false };
  const f = fixtures(t.app);
  const creatorId = await f.creator(c.user.id, 'Ysolde Prane');
  await f.asset(creatorId, 'Zephyrine harbour map', { tags: ['public-tag'] });
  await f.asset(creatorId, 'Zephyrine quillotrandel sketch', { status: 'DRAFT', tags: ['secret-tag'] });
  expect(await outboxDrained(t.app)).toBe(true);
  h = createDb(t.databaseUrl, { max: 1, preparedStatements: true });
  await h.pool.query('SET plan_cache_mode = force_generic_plan');
}, 60_000);

afterAll(async () => {
  await h?.close();
  await t?.close();
});

const options = (fuzzy: boolean) => ({ types: SEARCH_ENTITY_TYPES, facetAllTypes: true, prefix: fuzzy, fuzzy, filters: {}, limit: 20, offset: 0, maxCandidates: 500 });

describe('generic plans and privacy', () => {
  it('a plan used for the owner never answers the other viewer with the draft, its counts or its spellings', async () => {
    const repository = new SearchRepository(h.db, h.db, h.pool);
    const queries: Array<[string, boolean]> = [['zephyrine', false], ['zephyr', true], ['quillotrandel', false], ['quilotrandel', true], ['zephyrine -harbour', false]];
    for (let round = 0; round < 7; round++) {
      for (const [q, fuzzy] of queries) {
        const mine = await repository.search(searchText(q), owner, options(fuzzy));
        const theirs = await repository.search(searchText(q), other, options(fuzzy));
        expect(mine.rows.some((r) => r.title.includes('quillotrandel')), `${q} as owner`).toBe(true);
        expect(theirs.rows.map((r) => r.title), q).not.toContain('Zephyrine quillotrandel sketch');
        expect(theirs.total, q).toBe(theirs.rows.length);
        expect(JSON.stringify(theirs.facets), q).not.toContain('secret-tag');
        expect(JSON.stringify(theirs.facets), q).not.toContain('DRAFT');
      }
    }
    const { rows } = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'herald_search_%' AND generic_plans > 0`);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
