import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/platform/db/client.js';
import { whileHeld, type TryLock } from '../../../src/platform/db/lock-holder.js';
import { ADMIN_URL, databaseUrl, testDatabaseName } from '../../helpers/env.js';
import { openResources } from '../../helpers/resources.js';

const name = testDatabaseName();

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  openResources.delete(`database ${name}`);
});

describe('whileHeld under idle_in_transaction_session_timeout', () => {
  it('keeps the lock for a run longer than the timeout: a second run is refused, not started beside it', async () => {
    // The holder is idle in its transaction while the work runs on other connections. A server
    // timeout shorter than the run ended it and freed the lock: a second reindex or rollup ran.
    await admin(async (c) => {
      await c.query(`CREATE DATABASE ${name}`);
      await c.query(`ALTER DATABASE ${name} SET idle_in_transaction_session_timeout = '200ms'`);
    });
    openResources.add(`database ${name}`);
    const handle = createDb(databaseUrl(name), { max: 4 });
    try {
      const { db } = handle;
      let holder = 0;
      const tryLock: TryLock = async (tx) => {
        const { rows } = await sql<{ locked: boolean; pid: number }>`SELECT pg_try_advisory_xact_lock(4242) AS locked, pg_backend_pid() AS pid`.execute(tx);
        holder = rows[0]!.pid;
        return rows[0]!.locked;
      };
      const second = await whileHeld(db, tryLock, async () => {
        // Once the holder has been idle for twice the timeout (or was ended by it), another run asks.
        await expect.poll(async () => (await sql<{ waited: boolean }>`
          SELECT coalesce((SELECT clock_timestamp() - state_change > interval '400 milliseconds' FROM pg_stat_activity WHERE pid = ${holder}), true) AS waited`
          .execute(db)).rows[0]!.waited, { timeout: 5_000, interval: 50 }).toBe(true);
        return whileHeld(db, tryLock, async () => 'second run');
      });
      expect(second).toEqual({ value: null });
    } finally {
      await handle.close();
    }
  });
});
