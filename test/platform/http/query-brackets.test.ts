import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/platform/http/query.js';
import { createTestApp, type TestApp } from '../../helpers/context.js';
import { list, seed } from '../../notifications/inbox-fixtures.js';

// axios and qs send a list as `types[]=A&types[]=B` (or `types[0]=A`). GET /api/notifications,
// whose query schema ignores unknown keys, took `types[]` for an unknown key and answered the whole
// feed: a tab showing other tabs' notifications. Every route now reads the bracket forms as the list.

describe('parseQuery', () => {
  it('reads the bracket forms of a list as the list, in the order sent', () => {
    expect({ ...parseQuery('types[]=A&types[]=B') }).toEqual({ types: ['A', 'B'] });
    expect({ ...parseQuery('types[0]=A&types[1]=B&page=2') }).toEqual({ types: ['A', 'B'], page: '2' });
    expect({ ...parseQuery('types=A&types%5B%5D=B') }).toEqual({ types: ['A', 'B'] });
    expect({ ...parseQuery('types[]=A&types=B&types=C') }).toEqual({ types: ['A', 'B', 'C'] });
    expect({ ...parseQuery('types[]=A') }).toEqual({ types: ['A'] });
  });

  it('folds as many bracket keys as a request line holds, in order', () => {
    const keys = Array.from({ length: 1900 }, (_, i) => `a[${i}]=${i}`);
    expect(parseQuery(keys.join('&')).a).toEqual(Array.from({ length: 1900 }, (_, i) => String(i)));
    // Repeats of one key come together, where that key first appears (the parser groups them).
    expect(parseQuery('a=1&a[]=2&a=3&a[]=4').a).toEqual(['1', '3', '2', '4']);
  });

  it('keeps every other key as Fastify read it', () => {
    expect({ ...parseQuery('q=a+b%20c&x=1&x=2&[]=z&a[b]=1&a[][]=2&e=') })
      .toEqual({ q: 'a b c', x: ['1', '2'], '[]': 'z', 'a[b]': '1', 'a[]': ['2'], e: '' });
  });

  it('gives no prototype to pollute', () => {
    const parsed = parseQuery('__proto__[]=x&constructor[]=y');
    expect(Object.getPrototypeOf(parsed)).toBe(null);
    expect(parsed.__proto__).toEqual(['x']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('GET /api/notifications with the bracket form of types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('filters as types= does (it answered the whole feed)', async () => {
    const user = await t.user('CREATOR');
    await seed(t, user.user.id, 2, { type: 'PAYOUT' });
    await seed(t, user.user.id, 3, { type: 'LICENSE' });
    await seed(t, user.user.id, 4, { type: 'SYSTEM' });
    const plain = await list(t, user, 'types=PAYOUT&types=LICENSE');
    expect(plain.total).toBe(5);
    for (const query of ['types[]=PAYOUT&types[]=LICENSE', 'types%5B%5D=PAYOUT&types%5B%5D=LICENSE', 'types[0]=PAYOUT&types[1]=LICENSE']) {
      const bracketed = await list(t, user, query);
      expect(bracketed.total).toBe(5);
      expect(new Set(bracketed.items.map((n) => n.type))).toEqual(new Set(['PAYOUT', 'LICENSE']));
    }
    // A value the list does not know is the contract's 400, as with types=.
    const bad = await t.call('GET', '/api/notifications?types[]=NOPE', { as: user });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ success: false, error: 'Invalid query parameters', details: expect.anything() });
    // The bracket form of a one-value parameter is its 400, as a repeated one is: it was ignored.
    expect((await t.call('GET', '/api/notifications?type[]=PAYOUT', { as: user })).status).toBe(400);
  });
});
