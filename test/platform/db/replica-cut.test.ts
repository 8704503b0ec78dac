import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaMonitor } from '../../../src/platform/db/replica-monitor.js';
import { createLogger } from '../../../src/platform/logger.js';
import { startReplicaPair, type ReplicaPair } from '../../helpers/replica.js';

/**
 * A replica cut off from its primary (its WAL receiver stopped here; a cut network alike) has
 * replayed all the WAL it received: measured on the replica alone its lag was 0 for as long as
 * the cut lasted, and lag-tolerant reads stayed on it however far behind it fell.
 */
let pair: ReplicaPair;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  pair = await startReplicaPair({ primary: 5442, replica: 5443 });
}, 120_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pair?.stop();
});

describe('the replica monitor', () => {
  it('stops serving reads from a replica that no longer receives the primary\'s WAL', async () => {
    await pair.query('primary', 'CREATE TABLE items (id int)');
    await pair.caughtUp();
    const [replica, primary] = [new pg.Pool({ connectionString: pair.replicaUrl, max: 1 }), new pg.Pool({ connectionString: pair.primaryUrl, max: 1 })];
    pools.push(replica, primary);
    const monitor = new ReplicaMonitor({ pool: replica, primary, maxLagMs: 300, log: createLogger('silent') });
    // Before its first check the replica's lag is unknown: reads stay on the primary.
    expect(monitor.skipReason()).toBe('lag');
    await monitor.check();
    expect(monitor.status()).toMatchObject({ servingReads: true, lagMs: 0 });

    const [{ primary_conninfo: conninfo }] = await pair.query<{ primary_conninfo: string }>('replica', 'SHOW primary_conninfo') as [{ primary_conninfo: string }];
    await pair.query('replica', "ALTER SYSTEM SET primary_conninfo = ''");
    await pair.query('replica', 'SELECT pg_reload_conf()');
    await expect.poll(async () => (await pair.query<{ n: number }>('replica', 'SELECT count(*)::int AS n FROM pg_stat_wal_receiver'))[0]!.n, { timeout: 20_000 }).toBe(0);
    await pair.query('primary', 'INSERT INTO items SELECT generate_series(1, 100)');
    // The write the replica will never see, and checks until it is older than the limit.
    await expect.poll(async () => {
      await monitor.check();
      return monitor.status().servingReads;
    }, { timeout: 5_000, interval: 100 }).toBe(false);
    expect(monitor.skipReason()).toBe('lag');
    expect((await pair.query<{ n: number }>('replica', 'SELECT count(*)::int AS n FROM items'))[0]!.n).toBe(0);

    // Streaming again: it catches up and serves reads once more.
    await pair.query('replica', `ALTER SYSTEM SET primary_conninfo = '${conninfo.replaceAll("'", "''")}'`);
    await pair.query('replica', 'SELECT pg_reload_conf()');
    await pair.caughtUp();
    await expect.poll(async () => {
      await monitor.check();
      return monitor.status();
    }, { timeout: 10_000, interval: 100 }).toMatchObject({ servingReads: true, lagMs: 0 });
  }, 60_000);
});
