import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/client.js';
import { SEARCH_ENTITY_TYPES } from '../../src/platform/db/schema.js';
import { SearchRepository, type Viewer } from '../../src/search/search.repository.js';
import { searchText } from '../../src/search/search.text.js';
import { createTestApp, type TestApp } from '../helpers/context.js';

/**
 * Review of issue 21 (a9c08e2: the search statement prepared under a name derived from its text).
 * A client must not mint prepared statements: whatever it types (operators, quotes, exclusions,
 * prefixes, many words, any page), the names stay within the statement's shapes, prefix x
 * exclusion x typo x admin x facetAllTypes, at most 32, and the connection holds no more.
 */
let t: TestApp;
let h: DbHandle;

beforeAll(async () => {
  t = await createTestApp();
  h = createDb(t.databaseUrl, { max: 1, preparedStatements: true });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await t?.close();
});

describe('search statement names (review of issue 21)', () => {
  it('300 hostile queries by two viewers and an admin, on any page, prepare at most 32 statements', async () => {
    const names = new Set<string>();
    const pool = h.pool;
    const capture = { query: ((config: { name?: string }, ...rest: unknown[]) => {
      if (config.name) names.add(config.name);
      return (pool.query as (...a: unknown[]) => unknown)(config, ...rest);
    }) as typeof pool.query };
    const repository = new SearchRepository(h.db, h.db, capture);
    const viewers: Viewer[] = [{ userId: '00000000-0000-4000-8000-000000000001', admin: false }, { userId: '00000000-0000-4000-8000-000000000002', admin: false }, { userId: '00000000-0000-4000-8000-000000000003', admin: true }];
    const word = fc.oneof(fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom('-x', '"a b"', 'or', '*', ':*', '&', '|', '!', '<->', '\\', "'", '$1', 'é', '😀', '%', '_'));
    const query = fc.array(word, { minLength: 1, maxLength: 12 }).map((w) => w.join(' '));
    const samples = fc.sample(fc.tuple(query, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 500 })), { numRuns: 300, seed: 21 });
    for (const [q, fuzzy, facetAllTypes, v, limit, offset] of samples) {
      await repository.search(searchText(q), viewers[v]!, { types: SEARCH_ENTITY_TYPES, facetAllTypes, prefix: fuzzy, fuzzy, filters: {}, limit, offset, maxCandidates: 500 });
    }
    expect(names.size).toBeGreaterThan(4);
    expect(names.size).toBeLessThanOrEqual(32);
    const { rows } = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'herald_search_%'`);
    expect(rows[0]!.n).toBe(names.size);
  }, 60_000);
});
