import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { waitFor } from '../../src/platform/net.js';
import { createQueueRedis } from '../../src/platform/redis/connection.js';
import { OutboxRelay } from '../../src/platform/queue/outbox.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { openResources } from '../helpers/resources.js';

let api: TestApp;
let admin: Session;
let proxy: CuttableProxy;
let worker: App;

beforeAll(async () => {
  // The API process alone; the work is done by a separate worker process whose Redis we can cut.
  api = await createTestApp({}, { roles: ['api'] });
  admin = await api.admin();
  proxy = await new CuttableProxy('127.0.0.1', 6379).start();
  worker = await createApp(loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: api.databaseUrl, REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    QUEUE_PREFIX: api.prefix, OUTBOX_POLL_MS: '50',
    // After its Redis was cut, a BullMQ worker may not answer close(); shutdown moves on after this.
    SHUTDOWN_TIMEOUT_MS: '2000',
  }), { roles: ['worker'] });
  await worker.start();
  openResources.add('worker');
});
afterAll(async () => {
  await worker.stop();
  openResources.delete('worker');
  await proxy.close();
  await api.close();
});

const batchDone = (id: string) => waitFor(async () => (await api.app.services.notifications.getBatch(id)).status === 'completed', 20_000, 100);
const outbox = () => api.app.database.db.selectFrom('outbox').select(['id', 'relayed_at', 'completed_at']).orderBy('id').execute();

describe('transactional outbox', () => {
  it('an API-only process records the work; a separate worker process does it', async () => {
    const res = await api.call('POST', '/api/admin/notifications', { as: admin, body: { all: true, type: 'SYSTEM', title: 'Hello', message: 'm' } });
    expect(res.status).toBe(202);
    expect(await batchDone(res.body.data.batchId)).toBe(true);
    // The fan-out job and the delivery jobs it wrote: every row relayed and completed.
    expect(await waitFor(async () => (await outbox()).every((r) => r.completed_at !== null), 10_000)).toBe(true);
    const rows = await outbox();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toMatchObject({ relayed_at: expect.any(Date), completed_at: expect.any(Date) });
  });

  it('keeps work waiting in PostgreSQL while Redis is unreachable and sends it when Redis returns', async () => {
    await proxy.cut();
    const res = await api.call('POST', '/api/admin/notifications', { as: admin, body: { role: 'ADMIN', type: 'SYSTEM', title: 'While down', message: 'm' } });
    expect(res.status).toBe(202);
    // Evidence instead of a pause: a relay round that begins after the row is committed, with its
    // Redis cut as the worker's is, finishes and leaves the row waiting. (Its queues reach the real
    // Redis: a relay that ignored its own connection's state would move the row through them.)
    const cutRedis = createQueueRedis({ kind: 'url', url: `redis://127.0.0.1:${proxy.port}` });
    try {
      const relay = new OutboxRelay({
        db: api.app.database.db, pool: api.app.database.pool, queues: api.app.queues, redis: cutRedis, prefix: api.prefix, log: api.app.log, pollMs: 50,
      });
      expect(await relay.relayOnce()).toBe(0);
    } finally {
      cutRedis.disconnect();
    }
    const waiting = (await outbox()).filter((r) => r.relayed_at === null);
    expect(waiting).toHaveLength(1);
    expect((await api.app.services.notifications.getBatch(res.body.data.batchId)).status).toBe('pending');
    await proxy.restore();
    expect(await batchDone(res.body.data.batchId)).toBe(true);
    expect((await api.app.services.notifications.getBatch(res.body.data.batchId)).created).toBe(1);
  });

  it('relays each row once even when several relays run side by side', async () => {
    const second = await api.sibling({ roles: ['worker'] });
    try {
      const ids = [];
      for (let i = 0; i < 20; i++) {
        const res = await api.call('POST', '/api/admin/notifications', { as: admin, body: { role: 'ADMIN', type: 'SYSTEM', title: `n${i}`, message: 'm' } });
        ids.push(res.body.data.batchId as string);
      }
      for (const id of ids) expect(await batchDone(id)).toBe(true);
      const perBatch = await api.app.database.db.selectFrom('notifications').select(['batch_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('batch_id', 'in', ids).groupBy('batch_id').execute();
      expect(perBatch).toHaveLength(20);
      for (const row of perBatch) expect(Number(row.n)).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
