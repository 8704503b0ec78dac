import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_ENV } from '../helpers/env.js';
import { spawnHerald, type HeraldProcess } from '../helpers/processes.js';
import { Receiver } from './receiver.js';

// A worker killed (SIGKILL) at the worst moment: the receiver has accepted a delivery and the
// worker dies before recording it. Delivery is at least once: after another worker takes the
// stalled job over, that delivery is sent again with the same X-Herald-Delivery (the receiver's
// dedupe key) and recorded once; nothing is lost, and nothing else is sent twice.

let t: TestApp;
let admin: Session;
let receiver: Receiver;
let first: HeraldProcess | null = null;
let second: HeraldProcess | null = null;

beforeAll(async () => {
  receiver = await new Receiver().start();
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SUBSCRIPTION_CACHE_MS: '0' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  for (const p of [first, second]) {
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  await t?.close();
  await receiver?.stop();
});

describe('a worker killed between the receiver\'s answer and the record', () => {
  it('sends that delivery again with the same id, records every delivery once, loses none', async () => {
    const env = {
      DATABASE_URL: t.databaseUrl, ...REDIS_ENV, QUEUE_PREFIX: t.prefix, OUTBOX_POLL_MS: '50', JOB_LOCK_MS: '2000', JOB_BACKOFF_MS: '50',
      WEBHOOK_ALLOW_PRIVATE: 'true', WORKER_CONCURRENCY: '1',
    };
    const created = await t.call('POST', '/api/admin/webhooks', { as: admin, body: { url: receiver.url, events: ['notification.created'] } });
    expect(created.status).toBe(201);
    const endpointId = created.body.data.id as string;
    const users = await Promise.all(Array.from({ length: 10 }, () => t.user('VIEWER')));
    first = spawnHerald(['worker'], env);
    const victim = first;
    let killedFor: string | null = null;
    // The fourth delivery: the receiver takes it (and answers 200), but the worker is killed
    // first (SIGKILL is sent before the answer is written): it can never record it.
    receiver.behave = ({ headers }) => {
      if (receiver.received.length === 3 && killedFor === null) {
        killedFor = String(headers['x-herald-delivery']);
        victim.child.kill('SIGKILL');
      }
      return 200;
    };
    await t.app.services.notifications.notify({ userIds: users.map((u) => u.user.id), type: 'SYSTEM', title: 'Kill', message: 'm' });
    expect(await waitFor(async () => victim.child.signalCode === 'SIGKILL', 30_000, 20), victim.output()).toBe(true);
    await victim.exited;
    expect(killedFor).not.toBeNull();
    second = spawnHerald(['worker'], env);
    const db = t.app.database.db;
    const settled = await waitFor(async () => {
      const open = await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).where('status', '<>', 'delivered').execute();
      return open.length === 0;
    }, 60_000, 50);
    expect(settled, second.output()).toBe(true);
    const rows = await db.selectFrom('webhook_deliveries').select(['delivery_id', 'attempts']).where('endpoint_id', '=', endpointId).execute();
    expect(rows).toHaveLength(10);
    const accepted = receiver.accepted.map((r) => String(r.headers['x-herald-delivery']));
    // None lost: every delivery accepted; the one in flight at the kill accepted twice, no other.
    expect(new Set(accepted)).toEqual(new Set(rows.map((r) => r.delivery_id)));
    const twice = [...new Set(accepted)].filter((id) => accepted.filter((a) => a === id).length > 1);
    expect(twice).toEqual([killedFor]);
    expect(rows.find((r) => r.delivery_id === killedFor)!.attempts).toBe(1);
  }, 120_000);
});
