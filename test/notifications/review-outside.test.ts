import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { createTestApp, type TestApp } from '../helpers/context.js';
import { counts, list, seed } from './inbox-fixtures.js';

/**
 * The outside read of issue 17's routes: a foreign page holding the victim's cookie, and the same
 * limited request thirty-odd times at once.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('issue 17 routes seen from outside', () => {
  it('a page on another site, with the victim\'s cookie, can neither bulk-delete, snooze nor mark seen: 403, nothing changed', async () => {
    const victim = await t.user();
    const ids = await seed(t, victim.user.id, 3);
    const cookie = `${SESSION_COOKIE}=${victim.token}`;
    const attempts: Array<[string, unknown]> = [
      ['/api/notifications/bulk', { ids, action: 'delete' }],
      ['/api/notifications/seen-all', undefined],
      [`/api/notifications/${ids[0]}/snooze`, { until: new Date(Date.now() + 3_600_000).toISOString() }],
      [`/api/notifications/${ids[1]}/archive`, undefined],
    ];
    for (const [path, body] of attempts) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, path).toBe(403);
      expect(await res.json()).toEqual({ success: false, error: 'Forbidden: cross-origin request' });
    }
    expect((await list(t, victim)).total).toBe(3);
    expect(await counts(t, victim)).toEqual({ count: 3, unseen: 3 });
  });

  it('forty bulk requests at once: exactly the limit (30 a minute) are served, each change counted once', async () => {
    const user = await t.user();
    const ids = await seed(t, user.user.id, 50);
    const answers = await Promise.all(Array.from({ length: 40 }, () => t.call('POST', '/api/notifications/bulk', { as: user, body: { ids, action: 'read' } })));
    const served = answers.filter((a) => a.status === 200);
    expect(served).toHaveLength(30);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
    expect(served.reduce((sum, a) => sum + (a.body.data.count as number), 0)).toBe(50);
    expect(await counts(t, user)).toEqual({ count: 0, unseen: 0 });
  });
});
