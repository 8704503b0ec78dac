import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

/**
 * Issue 21 (migration 0027): the words of titles reach the vocabulary's trigram index directly,
 * not through GIN's pending list. Pending, they waited for a VACUUM, and every typo lookup read the
 * whole list (bench:search: 60 ms a typed word on a database migrated empty and then reindexed).
 */
let t: TestApp;
let viewer: Session;

beforeAll(async () => {
  t = await createTestApp();
  const [creator, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  viewer = v;
  const f = fixtures(t.app);
  const creatorId = await f.creator(creator.user.id, 'Ilse Varnholt');
  await f.importAssets(creatorId, 40, (i) => `Brisvalent ochremoor tideglass ${i} quillaby${i} marrowfen${i}`);
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the typo vocabulary', () => {
  it('holds the words of titles just written in its trigram index, with nothing pending', async () => {
    const db = t.app.database.db;
    const { rows: [words] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_vocabulary WHERE word LIKE 'quillaby%' OR word LIKE 'marrowfen%'`.execute(db);
    expect(words!.n).toBeGreaterThanOrEqual(80);
    // Pages merged by this call were pending: with fastupdate (before 0027) the words above were.
    const { rows: [pending] } = await sql<{ pages: number }>`SELECT gin_clean_pending_list('search_vocabulary_trgm_idx'::regclass)::int AS pages`.execute(db);
    expect(pending!.pages).toBe(0);
    const data = (await t.call('GET', `/api/search/unified?q=${encodeURIComponent('ochremor')}`, { as: viewer })).body.data as { results: unknown[] };
    expect(data.results.length).toBeGreaterThan(0);
  });
});
