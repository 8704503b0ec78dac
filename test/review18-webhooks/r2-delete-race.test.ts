import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';

// Review 18 (R2): an admin deleting a webhook endpoint while another transaction emits an event
// for it. The emitting statement's snapshot still sees the endpoint and inserts its delivery; the
// foreign key's check then waits for the DELETE and, once it commits, finds no endpoint: 23503,
// and the transaction that emitted (a notification's creation, a read, an email's completion
// after SMTP accepted it) rolls back. A webhook an admin removes must never fail herald's own work.

let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('deleting an endpoint while an event for it is emitted', () => {
  it('does not fail the transaction that emits (its delivery is simply not made)', async () => {
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:47701/hook', events: ['notification.created'] } });
    expect(created.status).toBe(201);
    const endpointId = created.body.data.id as string;
    const user = await t.user('VIEWER');

    const deleter = new pg.Client({ connectionString: t.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
      // The emitter's INSERT … SELECT still sees the endpoint (the DELETE is not committed yet).
      const notified = t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'During the delete', message: 'm' })
        .then((r) => ({ ok: true as const, r }), (err: unknown) => ({ ok: false as const, err }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await deleter.query('COMMIT');
      const outcome = await notified;
      expect(outcome.ok ? 'created' : String((outcome.err as Error).message)).toBe('created');
    } finally {
      await deleter.end();
    }
    const rows = await t.app.database.db.selectFrom('notifications').select('id').where('user_id', '=', user.user.id).execute();
    expect(rows).toHaveLength(1);
    expect(await t.app.database.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(0);
  });

  it('a test ping racing the deletion of its endpoint answers 404, not a 500 from the foreign key', async () => {
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: 'http://127.0.0.1:47701/hook', events: ['email.sent'] } });
    const endpointId = created.body.data.id as string;
    const deleter = new pg.Client({ connectionString: t.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
      const ping = t.call('POST', `/api/admin/webhooks/${endpointId}/test`, { as: admin });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await deleter.query('COMMIT');
      const res = await ping;
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body).toMatchObject({ success: false, error: expect.any(String) });
    } finally {
      await deleter.end();
    }
  });
});
