import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { pausedSchedules } from '../../src/platform/queue/schedule-state.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { REDIS_CLUSTER } from '../helpers/env.js';
import { CuttableProxy } from '../helpers/proxy.js';

/**
 * A pause or resume while Redis is unreachable: BullMQ's connection would wait for Redis forever,
 * inside the transaction that holds the schedule's row and a pool connection. It answers 503 after
 * a bounded wait instead, with nothing changed and no transaction left open. (Rate limits off: with
 * them on, the limiter answers 503 before the route runs.)
 */
let proxy: CuttableProxy;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  proxy = await new CuttableProxy('127.0.0.1', 6379).start();
  t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RATE_LIMITS: 'off' }, { roles: ['api'] });
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
  await proxy.close();
});

const openTransactions = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(t.app.database.db)).rows[0]!.n);

describe.skipIf(REDIS_CLUSTER)('schedule control while Redis is unreachable', () => {
  it('answers 503 within a bounded wait, changes nothing and leaves no transaction open', async () => {
    await proxy.cut();
    try {
      for (const action of ['pause', 'resume']) {
        const started = Date.now();
        const res = await Promise.race([
          t.call('POST', `/api/admin/jobs/schedulers/media-sweep/${action}`, { as: admin }),
          new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref()),
        ]);
        expect(res).not.toBe('hung');
        expect(res).toMatchObject({ status: 503, body: { success: false, error: 'Redis is unreachable: the schedule was not changed' } });
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      expect((await pausedSchedules(t.app.database.db)).has('media-sweep')).toBe(false);
      expect(await openTransactions()).toBe(0);
    } finally {
      await proxy.restore();
    }
    // Back: the pause works again.
    expect(await waitFor(async () => (await t.call('POST', '/api/admin/jobs/schedulers/media-sweep/pause', { as: admin })).status === 200, 10_000, 200)).toBe(true);
    expect((await pausedSchedules(t.app.database.db)).has('media-sweep')).toBe(true);
  });
});
