import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// Outsider review of issue 18: the same admin request thirty times at once against each
// check-then-act of the new routes: replay (one reopens, the rest find it pending), lift (one
// removes, the rest find nothing), test (thirty deliveries, each its own), and a bodiless
// `Content-Type: application/json` POST as a browser's fetch wrapper sends it.
let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

const times = <T>(n: number, f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f));

describe('thirty at once', () => {
  it('replay, lift and test', async () => {
    const db = t.app.database.db;
    const ep = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:9/hook', events: ['notification.created'] } });
    expect(ep.status).toBe(201);
    const id = ep.body.data.id as string;
    const bare = await fetch(`${t.url}/api/admin/webhooks/${id}/test`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` } });
    expect(bare.status).toBe(202);
    const deliveryId = ((await bare.json()) as { data: { deliveryId: string } }).data.deliveryId;
    // Settled (failed) for the replay, whatever its job did meanwhile.
    await db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('delivery_id', '=', deliveryId).execute();
    const outboxBefore = (await db.selectFrom('outbox').select('id').where('queue', '=', 'webhook-delivery').execute()).length;
    const replays = await times(30, () => t.call('POST', `/api/admin/webhooks/${id}/deliveries/${deliveryId}/replay`, { as: admin }));
    expect(replays.map((r) => r.status).sort()).toEqual([202, ...Array(29).fill(409)]);
    const outboxAfter = (await db.selectFrom('outbox').select('id').where('queue', '=', 'webhook-delivery').execute()).length;
    expect(outboxAfter - outboxBefore).toBe(1);

    await t.app.services.suppressions.suppress(db, { email: 'x@y.example', reason: 'hard-bounce', source: 'smtp' });
    const lifts = await times(30, () => t.call('DELETE', '/api/admin/emails/suppressions/x%40y.example', { as: admin }));
    expect(lifts.map((r) => r.status).sort()).toEqual([200, ...Array(29).fill(404)]);
    expect((await db.selectFrom('admin_audit').select('id').where('action', '=', 'email.suppression.lift').execute())).toHaveLength(1);

    const tests = await times(30, () => t.call('POST', `/api/admin/webhooks/${id}/test`, { as: admin }));
    expect(tests.every((r) => r.status === 202)).toBe(true);
    expect(new Set(tests.map((r) => r.body.data.deliveryId)).size).toBe(30);
  });
});
