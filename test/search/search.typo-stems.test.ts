import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { outboxDrained } from '../helpers/wait.js';
import { fixtures } from './fixtures.js';

/**
 * Review of issue 21 (23184d2): a spelling counted as visible when a title the viewer may see held
 * its english stem, not the word itself. Words of drafts sharing the stem of a public word
 * ("quorvanting", "quorvanted" ... next to a public "quorvant") took the five places and pushed
 * a public spelling out, so the viewer learnt that such words exist in titles they may not see.
 */
let t: TestApp;
let viewer: Session;
let creatorId: string;

const titles = async (q: string) =>
  ((await t.call('GET', `/api/search/unified?q=${encodeURIComponent(q)}`, { as: viewer })).body.data as { results: Array<{ title: string }> }).results.map((r) => r.title).sort();

beforeAll(async () => {
  t = await createTestApp();
  const [creator, v] = await Promise.all([t.user('CREATOR'), t.user('VIEWER')]);
  viewer = v;
  creatorId = await fixtures(t.app).creator(creator.user.id, 'Odile Marsh');
  await fixtures(t.app).asset(creatorId, 'Quorvanzzz at noon');
  await fixtures(t.app).asset(creatorId, 'Quorvant report');
  expect(await outboxDrained(t.app)).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('typo spellings sharing a stem', () => {
  it('answers a typo the same whether or not drafts hold other words of a visible stem', async () => {
    const before = await titles('quorvantel');
    expect(before).toContain('Quorvanzzz at noon');
    const f = fixtures(t.app);
    for (const w of ['quorvants', 'quorvanting', 'quorvanted', 'quorvantly', 'quorvantness', 'quorvanter']) await f.asset(creatorId, `${w} plan`, { status: 'DRAFT' });
    expect(await outboxDrained(t.app)).toBe(true);
    expect(await titles('quorvantel')).toEqual(before);
  });
});
