import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { Receiver, type Received } from './receiver.js';

// Events of a notification reach an endpoint in order (created before read, and its email.sent
// after its created) across retries and two worker processes; a receiver down for a while gets
// every event once it is back, none lost, none accepted twice.

const PORT = 47411;
let t: TestApp;
let sibling: App;
let admin: Session;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver(PORT).start();
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', JOB_BACKOFF_MS: '40', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_SUBSCRIPTION_CACHE_MS: '300', RATE_LIMIT_OVERRIDES: 'admin.jobs=5000' });
  // A second process working the same queues: ordering must hold across workers, not just in one.
  sibling = await t.sibling();
  admin = await t.admin();
});
afterAll(async () => {
  await sibling?.stop();
  await t?.close();
  await receiver?.stop();
});

const eventOf = (r: Received) => JSON.parse(r.body) as { id: string; type: string; data: { notificationId?: string } };

/** The only endpoint (earlier tests' are deleted: the receiver is shared). */
async function endpointFor(events: string[]) {
  for (const e of (await t.call('GET', '/api/admin/webhooks', { as: admin })).body.data) await t.call('DELETE', `/api/admin/webhooks/${e.id}`, { as: admin });
  receiver.received.length = 0;
  const res = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

async function allSettled(endpointId: string) {
  const db = t.app.database.db;
  const settled = await waitFor(async () => {
    const open = await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).where('status', '=', 'pending').limit(1).execute();
    return open.length === 0;
  }, 60_000, 50);
  expect(settled, 'every delivery delivered').toBe(true);
  return db.selectFrom('webhook_deliveries').select(['delivery_id', 'event_type', 'ordering_key', 'status']).where('endpoint_id', '=', endpointId).orderBy('id').execute();
}

/** For each notification, the accepted events in the order the receiver took them. */
function acceptedByNotification(accepted: Received[]) {
  const by = new Map<string, string[]>();
  for (const r of accepted) {
    const e = eventOf(r);
    const id = e.data.notificationId!;
    by.set(id, [...(by.get(id) ?? []), e.type]);
  }
  return by;
}

describe('ordering per notification', () => {
  it('never delivers a notification.read before its notification.created, while created keeps failing and is retried', async () => {
    receiver.received.length = 0;
    const endpoint = await endpointFor(['notification.created', 'notification.read']);
    // Created events fail until released; reads would be accepted at once. Without the ordering
    // rule every read is accepted first (checked: with olderPending() answering false, this fails).
    let createdFails = true;
    receiver.behave = ({ headers }) => (headers['x-herald-event'] === 'notification.created' && createdFails ? 500 : 200);
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.user('VIEWER')));
    await t.app.services.notifications.notify({ userIds: users.map((u) => u.user.id), type: 'SYSTEM', title: 'Ordered', message: 'm' });
    const ids = await Promise.all(users.map(async (u) => (await t.call('GET', '/api/notifications', { as: u })).body.data[0].id as string));
    // Read three ways: one by one, in bulk, and read-all.
    await t.call('POST', `/api/notifications/${ids[0]}/read`, { as: users[0]! });
    await t.call('POST', `/api/notifications/${ids[1]}/read`, { as: users[1]! });
    await t.call('POST', '/api/notifications/bulk', { as: users[2]!, body: { ids: [ids[2]], action: 'read' } });
    await t.call('POST', '/api/notifications/bulk', { as: users[3]!, body: { ids: [ids[3]], action: 'read' } });
    await t.call('POST', '/api/notifications/read-all', { as: users[4]! });
    await t.call('POST', '/api/notifications/read-all', { as: users[5]! });
    // Reading again changes nothing and tells nothing.
    await t.call('POST', `/api/notifications/${ids[0]}/read`, { as: users[0]! });
    // Every created event has failed at least twice (retries under way) before it is released.
    await waitFor(async () => ids.every((id) => receiver.received.filter((r) => eventOf(r).data.notificationId === id && eventOf(r).type === 'notification.created').length >= 2), 20_000, 20);
    expect(receiver.accepted.filter((r) => eventOf(r).type === 'notification.read')).toHaveLength(0);
    createdFails = false;
    const rows = await allSettled(endpoint);
    expect(rows).toHaveLength(12);
    const order = acceptedByNotification(receiver.accepted);
    for (const id of ids) expect(order.get(id), id).toEqual(['notification.created', 'notification.read']);
  });

  it('a receiver down for a while gets every event once it is back: in order per notification, none lost, none accepted twice', async () => {
    receiver.received.length = 0;
    receiver.behave = () => 200;
    const endpoint = await endpointFor(['notification.created', 'notification.read', 'email.sent']);
    await receiver.stop();
    const users = await Promise.all(Array.from({ length: 8 }, () => t.user('VIEWER')));
    // Created by both processes, read through the API, while every attempt is refused.
    await t.app.services.notifications.notify({ userIds: users.slice(0, 4).map((u) => u.user.id), type: 'SYSTEM', title: 'Down 1', message: 'm' });
    await sibling.services.notifications.notify({ userIds: users.slice(4).map((u) => u.user.id), type: 'SYSTEM', title: 'Down 2', message: 'm' });
    for (const u of users) {
      const id = (await t.call('GET', '/api/notifications', { as: u })).body.data[0].id as string;
      await t.call('POST', `/api/notifications/${id}/read`, { as: u });
    }
    // Down until attempts have failed (not a pause: the evidence that retries ran into the outage).
    const db = t.app.database.db;
    await waitFor(async () => {
      const row = await db.selectFrom('webhook_attempts as a').innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id').select((eb) => eb.fn.countAll<string>().as('n'))
        .where('d.endpoint_id', '=', endpoint).where('a.error', 'like', 'ECONNREFUSED%').executeTakeFirstOrThrow();
      return Number(row.n) >= 16;
    }, 20_000, 50);
    await receiver.start();
    const rows = await allSettled(endpoint);
    // 8 created, 8 read, 8 emails (captured: no SMTP_URL) sent.
    expect(rows.filter((r) => r.event_type === 'notification.created')).toHaveLength(8);
    expect(rows.filter((r) => r.event_type === 'notification.read')).toHaveLength(8);
    expect(rows.filter((r) => r.event_type === 'email.sent')).toHaveLength(8);
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    const accepted = receiver.accepted.map((r) => String(r.headers['x-herald-delivery']));
    expect(new Set(accepted).size, 'no delivery accepted twice').toBe(accepted.length);
    expect(new Set(accepted)).toEqual(new Set(rows.map((r) => r.delivery_id)));
    for (const [id, types] of acceptedByNotification(receiver.accepted)) {
      expect(types.indexOf('notification.created'), id).toBe(0);
      expect(types.indexOf('notification.read'), id).toBeGreaterThan(0);
      expect(types.indexOf('email.sent'), id).toBeGreaterThan(0);
    }
  });

  it('a fan-out to everyone emits notification.created for every recipient', async () => {
    receiver.received.length = 0;
    receiver.behave = () => 200;
    const endpoint = await endpointFor(['notification.created']);
    const users = (await t.app.database.db.selectFrom('users').select('id').execute()).map((u) => u.id);
    const res = await t.call('POST', '/api/admin/notifications', { as: admin, body: { all: true, type: 'SYSTEM', title: 'To all', message: 'm' } });
    expect(res.status).toBe(202);
    const rows = await waitFor(async () => (await t.app.database.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint).execute()).length === users.length, 20_000, 50);
    expect(rows).toBe(true);
    await allSettled(endpoint);
    const got = receiver.accepted.map(eventOf).filter((e) => e.type === 'notification.created');
    expect(new Set(got.map((e) => (e.data as { userId?: string }).userId))).toEqual(new Set(users));
  });
});

describe('subscriptions', () => {
  it('an endpoint gets every event emitted after its creation answered, even by a process whose cache said no endpoint wanted it', async () => {
    // The sibling's cache, fresh, says nobody wants digest.sent (no endpoint subscribes to it).
    await waitFor(async () => !sibling.services.webhookEvents.wants('digest.sent'), 5_000, 10);
    receiver.received.length = 0;
    receiver.behave = () => 200;
    const endpoint = await endpointFor(['digest.sent']);
    // Right after the answer, through the sibling: without the creation's wait (its cache still
    // fresh and empty) this event is dropped (checked: with settle() not waiting, this fails).
    await sibling.database.db.transaction().execute((tx) => sibling.services.webhookEvents.emit(tx, [{ type: 'digest.sent', orderingKey: 'digest:x', data: { probe: true } }]));
    const rows = await allSettled(endpoint);
    expect(rows).toHaveLength(1);
  });

  it('tells nothing of a change that rolled back: the event is written in its transaction', async () => {
    const endpoint = await endpointFor(['notification.created']);
    const user = await t.user('VIEWER');
    await expect(t.app.database.db.transaction().execute(async (tx) => {
      await t.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'Rolled back', message: 'm' }, tx);
      expect(await tx.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint).execute()).toHaveLength(1);
      throw new Error('the change fails after the event was emitted');
    })).rejects.toThrow('the change fails');
    expect(await t.app.database.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint).execute()).toHaveLength(0);
    expect(await t.app.database.db.selectFrom('outbox').select('id').where('queue', '=', 'webhook-delivery').where('completed_at', 'is', null).execute()).toHaveLength(0);
  });

  it('writes nothing while no endpoint subscribes to an event type', async () => {
    const before = await t.app.database.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await waitFor(async () => !t.app.services.webhookEvents.wants('email.bounced'), 5_000, 10);
    await t.app.database.db.transaction().execute((tx) => t.app.services.webhookEvents.emit(tx, [{ type: 'email.bounced', orderingKey: 'k', data: {} }]));
    const after = await t.app.database.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
