import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

/**
 * Review of issue 21 (33725be): the typo stage matches a typed word through its closest spellings
 * among the words of all titles (search_vocabulary), private ones included. Which spellings are
 * taken must depend only on what the viewer may see: were the five closest taken among all
 * words, words of others' drafts would push a public spelling out, and a viewer could learn
 * whether a word is in a title they may not see from whether a public document stops matching.
 */
let t: TestApp;
let viewer: Session;
let creatorId: string;
let creator: Session;

const titles = async (q: string) =>
  ((await t.call('GET', `/api/search/unified?q=${encodeURIComponent(q)}`, { as: viewer })).body.data as { results: Array<{ title: string }> }).results.map((r) => r.title);

beforeAll(async () => {
  t = await createTestApp();
  const [c, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  creator = c;
  viewer = v;
  creatorId = await fixtures(t.app).creator(creator.user.id, 'Odile Marsh');
  await fixtures(t.app).asset(creatorId, 'Quorvanzzz at noon');
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('typo spellings and visibility', () => {
  it('answers a typo the same whether or not drafts the viewer cannot see hold closer spellings', async () => {
    expect(await titles('quorvantel')).toEqual(['Quorvanzzz at noon']);
    const f = fixtures(t.app);
    for (const w of ['quorvanteli', 'quorvantela', 'quorvantelo', 'quorvantelu', 'quorvantelx']) await f.asset(creatorId, `${w} plan`, { status: 'DRAFT' });
    expect(await outboxDrained(t.app)).toBe(true);
    // Failed before the fix: [] (the five private words were the five closest spellings).
    expect(await titles('quorvantel')).toEqual(['Quorvanzzz at noon']);
  });

  // 0028: the check asks public titles and the viewer's own private ones apart, each from its own
  // index. A spelling held by the viewer's own draft counts for them, never for anyone else.
  it('counts a spelling held by the viewer\'s own draft for them only', async () => {
    await fixtures(t.app).asset(creatorId, 'Zelquorint sketches', { status: 'DRAFT' });
    expect(await outboxDrained(t.app)).toBe(true);
    const as = async (who: Session, q: string) =>
      ((await t.call('GET', `/api/search/unified?q=${encodeURIComponent(q)}`, { as: who })).body.data as { results: Array<{ title: string }> }).results.map((r) => r.title);
    expect(await as(creator, 'zelquorind')).toEqual(['Zelquorint sketches']);
    expect(await as(viewer, 'zelquorind')).toEqual([]);
  });
});
