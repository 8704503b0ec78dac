import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { createTestApp, type Session, type TestApp } from '../helpers/context.js';
import { startReplicaPair, type ReplicaPair } from '../helpers/replica.js';

/**
 * Id blocks an API process holds must survive a crash of PostgreSQL (review of 8f63ba4): the
 * reservation was an autocommit statement that wrote no WAL of its own, so nothing flushed it, and
 * a server that crashed then came back with the sequence below the blocks the process still held;
 * it went on storing them while the sequence handed the same values out again (6 ids stored twice
 * in every run of this scenario). A private primary (5435, with its streaming replica on 5436: the
 * helper makes a pair), never the machine's own server: a backend killed with SIGKILL makes the
 * whole server restart. Commits are asynchronous there and the WAL writer sleeps 10 s, so only a
 * flush the reservation itself asks for can save it.
 */
let pair: ReplicaPair;
let t: TestApp;
let admin: Session;

beforeAll(async () => {
  pair = await startReplicaPair({ primary: 5435, replica: 5436 });
  await pair.query('primary', "ALTER SYSTEM SET synchronous_commit = 'off'");
  await pair.query('primary', "ALTER SYSTEM SET wal_writer_delay = '10s'");
  await pair.query('primary', 'SELECT pg_reload_conf()');
  t = await createTestApp({
    DATABASE_URL: pair.primaryUrl, DATABASE_DIRECT_URL: '', RATE_LIMITS: 'off',
    // Four blocks a reservation, held a minute: the blocks taken after the crash are the ones reserved before it.
    ANALYTICS_ID_PREFETCH: '4', ANALYTICS_ID_PREFETCH_MAX_AGE_MS: '60000',
  });
  admin = await t.admin();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await pair?.stop();
});

const events = (asset: string) => Array.from({ length: 5 }, () => ({ eventType: 'asset_viewed', assetId: asset }));

/** Posts until stored: the first request after the crash may meet a pooled connection the crash ended (503). */
async function stored(asset: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await t.call('POST', '/api/analytics/events', { as: admin, body: { events: events(asset) } });
    if (res.status === 202) return;
    expect(res.status).toBe(503);
  }
  throw new Error('not stored in 5 attempts');
}

it('a crash right after a reservation: the blocks held across it are never handed out again', { timeout: 120_000 }, async () => {
  // Partitions and a first reservation, then a checkpoint (it flushes everything so far) and the
  // rest of that reservation's blocks used up.
  for (let i = 0; i < 4; i++) await stored(randomUUID());
  await pair.query('primary', 'CHECKPOINT');
  // A fresh reservation: one block used here, three held.
  await stored(randomUUID());
  const victim = new pg.Client({ connectionString: pair.primaryUrl });
  await victim.connect();
  victim.on('error', () => undefined);
  const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  process.kill(pid, 'SIGKILL');
  expect(await waitFor(async () => {
    try {
      return (await pair.query<{ ok: number }>('primary', 'SELECT 1 AS ok'))[0]?.ok === 1;
    } catch {
      return false;
    }
  }, 60_000, 50)).toBe(true);
  // The three held blocks, then writers that take the sequence's next values (an INSERT's default).
  const after = [randomUUID(), randomUUID(), randomUUID()];
  for (const a of after) await stored(a);
  for (let i = 0; i < 20; i++) {
    await pair.query('primary', "INSERT INTO analytics_events (occurred_at, event_type, asset_id) VALUES (now(), 'asset_viewed', $1)", [randomUUID()]);
  }
  const twice = await pair.query<{ id: string }>('primary', 'SELECT id::text FROM analytics_events GROUP BY id HAVING count(*) > 1 LIMIT 5');
  expect(twice).toEqual([]);
  const mine = await pair.query<{ n: number }>('primary', 'SELECT count(*)::int AS n FROM analytics_events WHERE asset_id = ANY($1::uuid[])', [after]);
  expect(mine[0]!.n).toBe(15);
});
