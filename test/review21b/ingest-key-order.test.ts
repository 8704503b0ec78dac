import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/platform/net.js';
import { ingestionApp } from '../analytics/helpers.js';

/**
 * Review of issue 21 (46592f3, claimKeysReservingIds): a request's idempotency keys are inserted
 * into analytics_event_keys in the order the request lists them. Two requests holding the same
 * keys in other orders (a client's offline queue flushed by two tabs, a retry that re-sorted its
 * batch) each insert some and wait for the other's uncommitted ones: a deadlock, and one request
 * answered 500 with nothing stored. Here a third transaction holding the middle key lines both
 * requests up (each has inserted its half and waits on it) before it rolls back.
 */
const app = ingestionApp();
const { db, post } = app;
const lockWaiters = async () => Number((await sql<{ n: number }>`
  SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db())).rows[0]!.n);

describe('idempotency keys sent in different orders by concurrent requests', () => {
  it('both requests are stored, each key once, and neither fails on a deadlock', { timeout: 30_000 }, async () => {
    const asset = randomUUID();
    const keys = Array.from({ length: 21 }, (_, i) => `order-${asset}-${String(i).padStart(2, '0')}`);
    const events = (list: string[]) => list.map((idempotencyKey) => ({ eventType: 'asset_viewed', assetId: asset, idempotencyKey }));
    const holder = new pg.Client({ connectionString: app.t.databaseUrl });
    await holder.connect();
    let results: Awaited<ReturnType<typeof post>>[];
    try {
      await holder.query('BEGIN');
      await holder.query('INSERT INTO analytics_event_keys (key) VALUES ($1)', [`${app.admin.user.id}:${keys[10]}`]);
      const both = Promise.all([post(events(keys)), post(events([...keys].reverse()))]);
      // Each request has inserted the keys before the middle one and waits for it.
      expect(await waitFor(async () => (await lockWaiters()) >= 2, 10_000, 10)).toBe(true);
      await holder.query('ROLLBACK');
      results = await both;
    } finally {
      await holder.end();
    }
    expect(results.map((r) => r.status), JSON.stringify(results.map((r) => r.body))).toEqual([202, 202]);
    expect(results[0]!.body.data.accepted + results[1]!.body.data.accepted).toBe(keys.length);
    const stored = await db().selectFrom('analytics_events').select('idempotency_key').where('asset_id', '=', asset).execute();
    expect(stored.map((r) => r.idempotency_key).sort()).toEqual(keys);
  });
});
