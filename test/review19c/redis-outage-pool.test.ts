import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, type TestApp } from '../helpers/context.js';
import { REDIS_CLUSTER } from '../helpers/env.js';
import { CuttableProxy } from '../helpers/proxy.js';
import { appBehindProxy } from '../helpers/outage.js';

/**
 * Audited admin changes to Redis while Redis is unreachable: the request waits for Redis (BullMQ's
 * client holds its commands until it is back), but it must not hold a PostgreSQL connection
 * meanwhile, else a few clicks during an outage take the API's whole pool (every user route with
 * it). Checked for a bulk step and the queue operations: while they wait, no session of the
 * database is idle in a transaction. (Before the fix of this review's 64b515a/a4bba74 they held
 * one each: 3 seen.)
 */
let redis: CuttableProxy;
let t: TestApp;
let admin: Session;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ proxy: redis, t, close } = await appBehindProxy('redis'));
  admin = await t.admin();
});
afterAll(() => close?.());

const inTransaction = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(t.app.database.db)).rows[0]!.n);

describe.skipIf(REDIS_CLUSTER)('audited admin changes while Redis is unreachable', () => {
  it('hold no PostgreSQL transaction while they wait for Redis', async () => {
    await t.app.queues.get('media-scan').addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'Work', data: { i }, opts: { delay: 3_600_000 } })));
    const body = { action: 'promote', state: 'delayed', filter: { name: 'Work' } };
    const count = await t.call('POST', '/api/admin/jobs/queues/media-scan/bulk/count', { as: admin, body });
    expect(count.body.data.count).toBe(3);
    await redis.cut();
    const pending = [
      t.call('POST', '/api/admin/jobs/queues/media-scan/bulk', { as: admin, body: { ...body, asOf: count.body.data.asOf, expected: 3 } }),
      t.call('POST', '/api/admin/jobs/queues/media-scan/pause', { as: admin }),
      t.call('POST', '/api/admin/jobs/queues/media-scan/promote', { as: admin }),
      t.call('POST', '/api/admin/jobs/queues/media-scan/clean', { as: admin, body: { state: 'completed', olderThanMs: 0 } }),
    ];
    try {
      // Give each request time to reach its Redis call (a transaction opened first would show by now).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await inTransaction()).toBe(0);
    } finally {
      await redis.restore();
    }
    // Each then answers: done once Redis is back, or 503 from a Redis call that failed fast.
    for (const res of await Promise.all(pending)) expect([200, 503], JSON.stringify(res.body)).toContain(res.status);
    expect(await inTransaction()).toBe(0);
  });
});
