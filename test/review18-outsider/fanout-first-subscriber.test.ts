import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// Outsider review of issue 18: a fan-out page asked the subscription cache twice whether
// notification.created is wanted, once to decide whether to aggregate the recipients' user ids and
// once to decide whether to emit. The cache may say "no" to the first (fresh, read before the first
// endpoint subscribed) and "maybe" to the second (its TTL ran out while the page inserted), and the
// page's events then went out without their userId. The stub below plays that schedule on every page.
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('a fan-out page while the first notification.created subscriber appears', () => {
  it('names every recipient in its notification.created events', async () => {
    for (let i = 0; i < 3; i++) await t.user('VIEWER');
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:9/hook', events: ['notification.created'] } });
    expect(created.status).toBe(201);
    const events = t.app.services.webhookEvents;
    const real = events.wants.bind(events);
    let calls = 0;
    // Stale-then-fresh as seen by one page: "no" first, then "maybe".
    events.wants = ((type: Parameters<typeof real>[0]) => (type === 'notification.created' ? ++calls % 2 === 0 : real(type))) as typeof events.wants;
    try {
      const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { all: true, type: 'SYSTEM', title: 'To all', message: 'm' } });
      expect(res.status).toBe(202);
      const users = (await t.app.database.db.selectFrom('users').select('id').execute()).map((u) => u.id);
      const db = t.app.database.db;
      expect(await waitFor(async () => (await db.selectFrom('notifications').select('id').where('title', '=', 'To all').execute()).length === users.length, 20_000, 50)).toBe(true);
      const rows = await db.selectFrom('webhook_deliveries').select('payload').where('event_type', '=', 'notification.created').execute();
      expect(rows).toHaveLength(users.length);
      expect(new Set(rows.map((r) => (r.payload as { userId?: string }).userId))).toEqual(new Set(users));
    } finally {
      events.wants = real;
    }
  });
});
