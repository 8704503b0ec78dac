import { sql } from 'kysely';
import pg from 'pg';
import { afterAll } from 'vitest';
import { ID_BLOCK } from '../../src/analytics/events.repository.js';
import type { ingestionApp } from './helpers.js';

/**
 * The events' id sequence as an operator (or someone by mistake) changes it, for the tests of id
 * blocks: its step, the realignment OPERATIONS gives (Analytics event ids), ids stored twice.
 */
export function idSequence(app: ReturnType<typeof ingestionApp>) {
  const db = () => app.db();
  const SEQ = sql.raw(`pg_get_serial_sequence('analytics_events', 'id')`);
  const clients: pg.Client[] = [];
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
  });

  const events = (n: number, asset: string, keyed = false) =>
    Array.from({ length: n }, (_, i) => ({ eventType: 'asset_viewed', assetId: asset, ...(keyed ? { idempotencyKey: `${asset}-${i}` } : {}) }));

  /** A producer of its own: one admin's hourly event quota would run out across a file. */
  async function poster() {
    const producer = await app.t.user('ADMIN');
    return (evs: unknown[]) => app.t.call('POST', '/api/analytics/events', { as: producer, body: { events: evs } });
  }

  async function direct(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: app.t.databaseUrl });
    await c.connect();
    clients.push(c);
    return c;
  }

  /** ALTER SEQUENCE … INCREMENT BY `step` on the events' id sequence, on `client` or the app's pool. */
  async function alterStep(step: number, client?: pg.Client): Promise<void> {
    const q = (await sql<{ q: string }>`SELECT format('ALTER SEQUENCE %s INCREMENT BY ${sql.raw(String(step))}', ${SEQ}) AS q`.execute(db())).rows[0]!.q;
    if (client) await client.query(q);
    else await sql.raw(q).execute(db());
  }

  /** What an operator does after changing the sequence (OPERATIONS, Analytics event ids): step and boundary back, in one transaction. */
  async function realign(): Promise<void> {
    const c = await direct();
    await c.query('BEGIN');
    await alterStep(ID_BLOCK, c);
    await c.query(`SELECT setval(pg_get_serial_sequence('analytics_events', 'id'),
      (greatest((SELECT max(id) FROM analytics_events), (SELECT last_value FROM analytics_events_id_seq)) / ${ID_BLOCK} + 1) * ${ID_BLOCK}, false)`);
    await c.query('COMMIT');
  }

  /** Every id held by more than one row of the table. */
  async function idsHeldTwice(): Promise<string[]> {
    const r = await sql<{ id: string }>`SELECT id::text FROM analytics_events GROUP BY id HAVING count(*) > 1 LIMIT 5`.execute(db());
    return r.rows.map((x) => x.id);
  }

  return { SEQ, events, poster, direct, alterStep, realign, idsHeldTwice };
}
