import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/client.js';
import { SEARCH_ENTITY_TYPES } from '../../src/platform/db/schema.js';
import { SearchRepository, type SearchPage, type Viewer } from '../../src/search/search.repository.js';
import { searchText } from '../../src/search/search.text.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

/**
 * The search statement runs as a named prepared statement on the pool behind readDb (planning was
 * 3.7-4.2 ms of each call on the bench): one name per shape, parsed once per connection, and the
 * same answers as the unnamed statement, also when DATABASE_PREPARED_STATEMENTS=false drops names.
 */
let t: TestApp;
let viewer: Viewer;
const handles: DbHandle[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const [creator, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  viewer = { userId: v.user.id, admin: false };
  const f = fixtures(t.app);
  const creatorId = await f.creator(creator.user.id, 'Marlo Vantage');
  await f.asset(creatorId, 'Harbour lanterns at dusk', { tags: ['sea'] });
  await f.asset(creatorId, 'Harbour cranes', { description: 'lanterns and ropes' });
  await f.asset(creatorId, 'Harbour lanterns, the draft', { status: 'DRAFT' });
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await t?.close();
});

/** One connection, so what it prepared is what pg_prepared_statements shows. */
function pool(preparedStatements: boolean): DbHandle {
  const h = createDb(t.databaseUrl, { max: 1, preparedStatements });
  handles.push(h);
  return h;
}

const options = (fuzzy: boolean, filters = {}) => ({
  types: SEARCH_ENTITY_TYPES, facetAllTypes: true, prefix: fuzzy, fuzzy, filters, limit: 20, offset: 0, maxCandidates: 500,
});
const queries: Array<[string, boolean]> = [['harbour lanterns', false], ['harbour lant', false], ['harbuor', true], ['"harbour lanterns"', false], ['harbour -cranes', false]];
const answers = async (repository: SearchRepository, user = viewer) => {
  const out: SearchPage[] = [];
  for (const [q, fuzzy] of queries) out.push(await repository.search(searchText(q), user, options(fuzzy)));
  return out.map((p) => ({ ...p, rows: p.rows.map((r) => [r.entity_id, r.title, r.score, r.title_hl, r.body_hl]) }));
};
const prepared = async (h: DbHandle) => (await h.pool.query<{ name: string; n: number }>(
  `SELECT name, (generic_plans + custom_plans)::int AS n FROM pg_prepared_statements WHERE name LIKE 'herald_search_%' ORDER BY name`)).rows;

describe('the search statement, prepared under a name', () => {
  it('is prepared once per shape on a connection and answers as the unnamed statement', async () => {
    const unnamed = await answers(new SearchRepository(t.app.database.db));
    const h = pool(true);
    const repository = new SearchRepository(h.db, h.db, h.pool);
    for (let i = 0; i < 7; i++) expect(await answers(repository)).toEqual(unnamed);
    // Shapes: exact, typo stage (fuzzy), exclusion; the phrase and the two words share the exact one's.
    const names = await prepared(h);
    expect(names.length).toBe(3);
    expect(names.map((r) => r.n).sort((a, b) => a - b)).toEqual([7, 7, 21]);
    // Past five executions PostgreSQL may use a generic plan: answers stay the same, privacy too.
    expect(unnamed[0]!.rows.map((r) => r[1])).toEqual(['Harbour lanterns at dusk', 'Harbour cranes']);
    expect(unnamed.flatMap((p) => p.rows.map((r) => r[1]))).not.toContain('Harbour lanterns, the draft');
  });

  it('the viewer is a parameter: a plan prepared for one viewer never shows another\'s private rows', async () => {
    const h = pool(true);
    const repository = new SearchRepository(h.db, h.db, h.pool);
    const admin = { userId: viewer.userId, admin: true };
    for (let i = 0; i < 6; i++) await answers(repository);
    expect((await answers(repository, admin)).flatMap((p) => p.rows.map((r) => r[1]))).toContain('Harbour lanterns, the draft');
    expect((await answers(repository)).flatMap((p) => p.rows.map((r) => r[1]))).not.toContain('Harbour lanterns, the draft');
  });

  it('goes unnamed with filters, and with DATABASE_PREPARED_STATEMENTS=false, with the same answers', async () => {
    const unnamed = await answers(new SearchRepository(t.app.database.db));
    const off = pool(false);
    expect(await answers(new SearchRepository(off.db, off.db, off.pool))).toEqual(unnamed);
    expect(await prepared(off)).toEqual([]);
    const on = pool(true);
    const filtered = await new SearchRepository(on.db, on.db, on.pool).search(searchText('harbour'), viewer, options(false, { tags: ['sea'] }));
    expect(filtered.rows.map((r) => r.title)).toEqual(['Harbour lanterns at dusk']);
    expect(await prepared(on)).toEqual([]);
  });
});
