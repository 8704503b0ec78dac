import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_PER_REQUEST } from '../../src/analytics/analytics.schemas.js';
import { ID_BLOCK, idBlock } from '../../src/analytics/events.repository.js';
import { ingestionApp } from './helpers.js';

// Ingestion reserves a request's ids as one block (migration 0029: one nextval of a sequence
// stepping by ID_BLOCK stands for ID_BLOCK ids). What must hold: blocks never overlap, however many
// requests reserve at once, keyed or not; a request's ids follow each other; and a sequence stepping
// by less than a request needs is an error that stores nothing, never ids shared with the next request.

const app = ingestionApp();
const { db, post } = app;

describe('idBlock', () => {
  it('gives count ids from the reserved value, in order', () => {
    expect(idBlock({ base: '1025', step: '512' }, 3)).toEqual(['1025', '1026', '1027']);
    expect(idBlock({ base: '7', step: 512 }, 512)).toHaveLength(512);
    expect(idBlock(undefined, 0)).toEqual([]);
  });

  it('stays exact past 2^53, where a Number would round', () => {
    expect(idBlock({ base: '9007199254740990', step: '512' }, 4))
      .toEqual(['9007199254740990', '9007199254740991', '9007199254740992', '9007199254740993']);
  });

  it('refuses more ids than one value of the sequence stands for, and a missing reservation', () => {
    expect(() => idBlock({ base: '1', step: '1' }, 2)).toThrow('2 ids from a sequence stepping by 1');
    expect(() => idBlock(undefined, 1)).toThrow('no ids were reserved');
  });

  it('covers the largest request with the step the migration sets', async () => {
    expect(MAX_EVENTS_PER_REQUEST).toBeLessThanOrEqual(ID_BLOCK);
    const step = await sql<{ step: string }>`
      SELECT seqincrement::text AS step FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('analytics_events', 'id')::regclass`.execute(db());
    expect(Number(step.rows[0]!.step)).toBe(ID_BLOCK);
  });
});

describe('id blocks under concurrent requests', () => {
  it('never gives two rows one id: 24 requests at once, keyed, unkeyed and mixed, full and partial', async () => {
    const requests = Array.from({ length: 24 }, (_, r) => {
      const asset = randomUUID();
      const size = r % 3 === 0 ? MAX_EVENTS_PER_REQUEST : 37 + r;
      const events = Array.from({ length: size }, (_, i) => ({
        eventType: 'asset_viewed', assetId: asset,
        ...(r % 4 === 1 || (r % 4 === 2 && i % 2 === 0) ? { idempotencyKey: `${asset}-${i}` } : {}),
      }));
      return { asset, size, events };
    });
    const answers = await Promise.all(requests.map((q) => post(q.events)));
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 202));
    expect(answers.map((a) => a.body.data.accepted)).toEqual(requests.map((q) => q.size));
    const rows = await db().selectFrom('analytics_events').select(['id', 'asset_id'])
      .where('asset_id', 'in', requests.map((q) => q.asset)).execute();
    const ids = rows.map((r) => BigInt(r.id));
    expect(ids).toHaveLength(requests.reduce((n, q) => n + q.size, 0));
    expect(new Set(ids.map(String)).size).toBe(ids.length);
    // Each request's ids follow each other: the enrichment job finds them by that range.
    for (const q of requests) {
      const mine = rows.filter((r) => r.asset_id === q.asset).map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : 1));
      expect(mine[mine.length - 1]! - mine[0]!).toBe(BigInt(q.size - 1));
    }
  });

  it('answers an error and stores nothing when the sequence steps by less than the request needs', async () => {
    const seq = sql.raw(`pg_get_serial_sequence('analytics_events', 'id')`);
    const alter = (step: number) => sql`SELECT format('ALTER SEQUENCE %s INCREMENT BY ${sql.raw(String(step))}', ${seq}) AS q`.execute(db())
      .then((r) => sql.raw((r.rows[0] as { q: string }).q).execute(db()));
    const asset = randomUUID();
    // A user of its own: the first test spent much of the admin's hourly event quota.
    const producer = await app.t.user('ADMIN');
    const post = (events: unknown[]) => app.t.call('POST', '/api/analytics/events', { as: producer, body: { events } });
    await alter(100);
    try {
      const res = await post(Array.from({ length: 101 }, () => ({ eventType: 'asset_viewed', assetId: asset })));
      expect(res.status).toBe(500);
      const keyed = await post(Array.from({ length: 101 }, (_, i) => ({ eventType: 'asset_viewed', assetId: asset, idempotencyKey: `${asset}-${i}` })));
      expect(keyed.status).toBe(500);
      // 100 fit one value of the sequence: stored.
      expect((await post(Array.from({ length: 100 }, () => ({ eventType: 'asset_viewed', assetId: asset })))).status).toBe(202);
    } finally {
      await alter(ID_BLOCK);
    }
    const stored = await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<string>().as('n')).where('asset_id', '=', asset).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(100);
    const keys = await db().selectFrom('analytics_event_keys').select((eb) => eb.fn.countAll<string>().as('n')).where('key', 'like', `%${asset}%`).executeTakeFirstOrThrow();
    expect(Number(keys.n)).toBe(0);
  });
});
