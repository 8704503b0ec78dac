import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// Review of issue 19's preview: "the same body as a real broadcast, validated alike". A body the
// real broadcast refuses only when PostgreSQL stores it (a NUL character in a text, a lone UTF-16
// half in metadata: 400 invalid_characters) was previewed 200 with a forecast, and the
// dashboard's Send, enabled by that preview, then failed.

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({}, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(() => t.close());

describe('preview refuses what the broadcast refuses', () => {
  it('a NUL in title, message or actionUrl, a NUL or a lone surrogate in metadata: the same 400 as the real broadcast, and nothing created', async () => {
    const base = { type: 'SYSTEM', title: 'Parity', message: 'Hello', userIds: [admin.user.id] };
    const hostile: Array<Record<string, unknown>> = [
      { title: 'Par\u0000ity' },
      { message: 'Hel\u0000lo' },
      { actionUrl: 'https://example.com/\u0000' },
      { metadata: { note: 'a\u0000b' } },
      { metadata: { note: 'half \ud800 pair' } },
      { metadata: { ['k\u0000']: 1 } },
    ];
    for (const extra of hostile) {
      const body = { ...base, ...extra };
      const real = await t.call('POST', '/api/admin/notifications', { as: admin, body });
      const previewed = await t.call('POST', '/api/admin/notifications/preview', { as: admin, body });
      expect(real.status, JSON.stringify(extra)).toBeGreaterThanOrEqual(400);
      expect({ status: previewed.status, body: previewed.body }, JSON.stringify(extra)).toEqual({ status: real.status, body: real.body });
    }
    const batches = await t.app.database.db.selectFrom('notification_batches').select('id').execute();
    expect(batches).toEqual([]);
    // A clean body still previews.
    const ok = await t.call('POST', '/api/admin/notifications/preview', { as: admin, body: base });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ audience: 1 });
  });
});
