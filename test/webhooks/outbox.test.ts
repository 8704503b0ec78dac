import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { openResources } from '../helpers/resources.js';
import { Receiver } from './receiver.js';

// Webhook deliveries are outbox rows written with the event: Redis unreachable between the commit
// and the relay delays them and loses none. The API process records the events; a separate
// worker process, whose Redis goes through a proxy the test cuts, relays and sends them.

let api: TestApp;
let admin: Session;
let proxy: CuttableProxy;
let worker: App;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver().start();
  api = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0' }, { roles: ['api'] });
  admin = await api.admin();
  proxy = await new CuttableProxy('127.0.0.1', 6379).start();
  worker = await createApp(loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: api.databaseUrl, REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    QUEUE_PREFIX: api.prefix, OUTBOX_POLL_MS: '50', JOB_BACKOFF_MS: '50', WEBHOOK_ALLOW_PRIVATE: 'true', SHUTDOWN_TIMEOUT_MS: '2000',
  }), { roles: ['worker'] });
  await worker.start();
  openResources.add('webhooks worker');
});
afterAll(async () => {
  await worker?.stop();
  openResources.delete('webhooks worker');
  await proxy?.close();
  await api?.close();
  await receiver?.stop();
});

describe('webhook deliveries through the outbox', () => {
  it('survive Redis being unreachable between the commit and the relay', async () => {
    const created = await api.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events: ['notification.created', 'notification.read'] } });
    expect(created.status).toBe(201);
    await proxy.cut();
    const user = await api.user('VIEWER');
    await api.app.services.notifications.notify({ userIds: [user.user.id], type: 'SYSTEM', title: 'While Redis is away', message: 'm' });
    const id = (await api.call('GET', '/api/notifications', { as: user })).body.data[0].id as string;
    expect((await api.call('POST', `/api/notifications/${id}/read`, { as: user })).status).toBe(200);
    const db = api.app.database.db;
    const rows = await db.selectFrom('outbox').select(['id', 'relayed_at']).where('queue', '=', 'webhook-delivery').execute();
    // Both events are committed as outbox rows, none relayed while the worker cannot reach Redis.
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.relayed_at === null)).toBe(true);
    expect(receiver.received).toHaveLength(0);
    await proxy.restore();
    expect(await waitFor(async () => receiver.accepted.length === 2, 30_000, 50)).toBe(true);
    expect(receiver.accepted.map((r) => r.headers['x-herald-event'])).toEqual(['notification.created', 'notification.read']);
    // The receiver has answered; the worker records the delivery right after: wait for that, not for a pause.
    const statuses = async () => (await db.selectFrom('webhook_deliveries').select('status').orderBy('id').execute()).map((r) => r.status);
    expect(await waitFor(async () => (await statuses()).every((s) => s === 'delivered'), 10_000, 50)).toBe(true);
    expect(await statuses()).toEqual(['delivered', 'delivered']);
  });
});
