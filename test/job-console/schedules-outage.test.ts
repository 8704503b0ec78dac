import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { pausedSchedules } from '../../src/platform/queue/schedule-state.js';
import { type Session, type TestApp } from '../helpers/context.js';
import { REDIS_CLUSTER } from '../helpers/env.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { appBehindProxy } from '../helpers/outage.js';

/**
 * A pause or resume while Redis is unreachable: BullMQ's connection would wait for Redis forever,
 * inside the transaction that holds the schedule's row and a pool connection. It answers 503 after
 * a bounded wait instead, with nothing changed and no transaction left open. (Rate limits off: with
 * them on, the limiter answers 503 before the route runs.)
 */
let proxy: CuttableProxy;
let t: TestApp;
let admin: Session;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ proxy, t, close } = await appBehindProxy('redis'));
  admin = await t.admin();
});
afterAll(() => close?.());

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

/**
 * PostgreSQL unreachable, Redis up: the health views (read with MONITORING_TOKEN, which needs no
 * session and so no PostgreSQL) must still answer. Pause states live in PostgreSQL: reading them
 * must not turn the health report into a bare 503 (before issue 19 it answered, PostgreSQL marked down).
 */
describe('health views while PostgreSQL is unreachable', () => {
  const MONITORING = 'monitoring-token-outage-0123456789';
  let pg: CuttableProxy;
  let app: TestApp;

  let closeApp: () => Promise<void>;
  beforeAll(async () => {
    ({ proxy: pg, t: app, close: closeApp } = await appBehindProxy('postgres', { MONITORING_TOKEN: MONITORING }));
  });
  afterAll(() => closeApp?.());

  it('GET /api/admin/jobs/health answers the report (PostgreSQL down), /schedulers a 503', async () => {
    await pg.cut();
    try {
      const health = await app.call('GET', '/api/admin/jobs/health', { as: MONITORING });
      expect([health.status, health.body?.data?.postgres]).toEqual([200, { healthy: false }]);
      expect(health.body.data.healthy).toBe(false);
      expect(health.body.data.redis).toEqual({ healthy: true });
      // The groups are still judged from Redis; their schedules' pause states are unknown, and said so.
      expect(health.body.data.search.schedules).toEqual([expect.objectContaining({ id: 'search-reindex', paused: false })]);
      expect(health.body.data.search.problems).toContain('schedule pause states unreadable (PostgreSQL unreachable)');
      const schedulers = await app.call('GET', '/api/admin/jobs/schedulers', { as: MONITORING });
      // Its paused flags would be guesses: 503, as any route whose PostgreSQL is away.
      expect([schedulers.status, schedulers.body]).toEqual([503, { success: false, error: 'Service unavailable' }]);
    } finally {
      await pg.restore();
    }
  });
});
