import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dayNumber } from '../../src/analytics/analytics.periods.js';
import { MAX_EVENTS_PER_REQUEST } from '../../src/analytics/analytics.schemas.js';
import { DAY_LOCK_NS, ID_BLOCK, idBlock, usableBlocks } from '../../src/analytics/events.repository.js';
import { waitFor } from '../../src/platform/net.js';
import { ingestionApp } from './helpers.js';
import { idSequence } from './id-sequence.js';

// Ingestion reserves a request's ids as one block (migration 0029: one nextval of a sequence stepping
// by ID_BLOCK from a multiple of it stands for ID_BLOCK ids). What must hold: blocks never overlap,
// however many requests reserve at once, keyed or not, beside the previous release's one nextval an
// id; a request's ids follow each other; and a sequence someone changed (its increment lowered, even
// while requests wait for a lock) stops ingestion with an error at the next reservation, never ids
// stored twice.

// One block reserved a request, just before its transaction (no blocks held ahead: that is
// ingest-id-prefetch.test), so a change to the sequence shows on the next request.
const app = ingestionApp({ ANALYTICS_ID_PREFETCH: '1' });
const { db, post } = app;
const { SEQ, events, poster, alterStep, realign, idsHeldTwice, direct } = idSequence(app);

describe('idBlock', () => {
  it('gives count ids from the reserved value, in order', () => {
    expect(idBlock('1024', 3)).toEqual(['1024', '1025', '1026']);
    expect(idBlock('512', ID_BLOCK)).toHaveLength(ID_BLOCK);
    expect(idBlock(undefined, 0)).toEqual([]);
  });

  it('stays exact past 2^53, where a Number would round', () => {
    expect(idBlock('9007199254741504', 3)).toEqual(['9007199254741504', '9007199254741505', '9007199254741506']);
  });

  it('refuses a value off the block boundary, more ids than a block, and a missing reservation', () => {
    expect(() => idBlock('1025', 1)).toThrow('gave 1025, not a multiple of 512');
    expect(() => idBlock('9007199254741505', 1)).toThrow('not a multiple of 512');
    expect(() => idBlock('1024', ID_BLOCK + 1)).toThrow('513 ids, more than a block of 512');
    expect(() => idBlock(undefined, 1)).toThrow('no ids were reserved');
  });

  it('usableBlocks: all of a reservation but its highest value, which a later value can follow inside; none if one is off a boundary', () => {
    expect(usableBlocks(['2048', '1024', '1536'])).toEqual(['1024', '1536']);
    expect(usableBlocks(['9007199254741504', '9007199254742016'])).toEqual(['9007199254741504']);
    expect(usableBlocks(['1024'])).toEqual([]);
    expect(() => usableBlocks(['1024', '1124'])).toThrow('gave 1124, not a multiple of 512');
  });

  it('covers the largest request, and the migrated sequence steps by a block from a multiple of it', async () => {
    expect(MAX_EVENTS_PER_REQUEST).toBeLessThanOrEqual(ID_BLOCK);
    const seq = await sql<{ step: string; last: string }>`
      SELECT seqincrement::text AS step, (SELECT last_value::text FROM analytics_events_id_seq) AS last FROM pg_sequence WHERE seqrelid = ${SEQ}::regclass`.execute(db());
    expect(Number(seq.rows[0]!.step)).toBe(ID_BLOCK);
    expect(Number(seq.rows[0]!.last) % ID_BLOCK).toBe(0);
  });
});

describe('id blocks under concurrent requests', () => {
  it('never gives two rows one id: 24 requests at once, keyed, unkeyed and mixed, beside the previous release\'s one nextval an id', async () => {
    const requests = Array.from({ length: 24 }, (_, r) => {
      const asset = randomUUID();
      const size = r % 3 === 0 ? MAX_EVENTS_PER_REQUEST : 37 + r;
      const evs = Array.from({ length: size }, (_, i) => ({
        eventType: 'asset_viewed', assetId: asset,
        ...(r % 4 === 1 || (r % 4 === 2 && i % 2 === 0) ? { idempotencyKey: `${asset}-${i}` } : {}),
      }));
      return { asset, size, events: evs };
    });
    // This month's partition, made by a first request.
    expect((await post(events(1, randomUUID()))).status).toBe(202);
    // The previous release (a rolling upgrade) reserved one nextval an id, as this INSERT does.
    const previousRelease = Array.from({ length: 6 }, () => sql`INSERT INTO analytics_events (id, occurred_at, event_type) OVERRIDING SYSTEM VALUE
      SELECT nextval(${SEQ}), now(), 'asset_viewed' FROM generate_series(1, 200)`.execute(db()));
    const answers = await Promise.all(requests.map((q) => post(q.events)));
    await Promise.all(previousRelease);
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 202));
    expect(answers.map((a) => a.body.data.accepted)).toEqual(requests.map((q) => q.size));
    expect(await idsHeldTwice()).toEqual([]);
    // Each request's ids follow each other: the enrichment job finds them by that range.
    const rows = await db().selectFrom('analytics_events').select(['id', 'asset_id']).where('asset_id', 'in', requests.map((q) => q.asset)).execute();
    for (const q of requests) {
      const mine = rows.filter((r) => r.asset_id === q.asset).map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : 1));
      expect(mine).toHaveLength(q.size);
      expect(mine[mine.length - 1]! - mine[0]!).toBe(BigInt(q.size - 1));
    }
  });

  it('migration 0029 applied while the previous release ingests: no id twice, and this release ingests after it', async () => {
    // The schema before 0029: a sequence stepping by 1, off any block boundary.
    await alterStep(1);
    await sql`SELECT setval(${SEQ}, (SELECT max(id) FROM analytics_events) + 7)`.execute(db());
    let stop = false;
    const previousRelease = async () => {
      while (!stop) await sql`INSERT INTO analytics_events (id, occurred_at, event_type) OVERRIDING SYSTEM VALUE SELECT nextval(${SEQ}), now(), 'asset_viewed' FROM generate_series(1, 50)`.execute(db());
    };
    const streams = [previousRelease(), previousRelease()];
    const migration = await readFile(new URL('../../migrations/0029_analytics_event_id_blocks.sql', import.meta.url), 'utf8');
    const m = await direct();
    await m.query('BEGIN');
    await m.query(migration);
    await m.query('COMMIT');
    const postNow = await poster();
    const after = await Promise.all(Array.from({ length: 6 }, (_, i) => postNow(events(300, randomUUID(), i % 2 === 1))));
    stop = true;
    await Promise.all(streams);
    expect(after.map((a) => a.status)).toEqual(Array(6).fill(202));
    expect(await idsHeldTwice()).toEqual([]);
  });
});

describe('a sequence changed by hand', () => {
  it('refuses every request once the increment was lowered after blocks were handed out, storing nothing', async () => {
    const postNow = await poster();
    const asset = randomUUID();
    expect((await postNow(events(500, asset))).status).toBe(202);
    await alterStep(100);
    try {
      // The next value lies inside the block just handed out: refused, keyed or not, however few ids.
      expect((await postNow(events(1, asset))).status).toBe(500);
      expect((await postNow(events(100, asset, true))).status).toBe(500);
      await alterStep(ID_BLOCK); // the step alone put back: still off the boundary, still refused
      expect((await postNow(events(1, asset))).status).toBe(500);
    } finally {
      await realign();
    }
    expect((await postNow(events(1, asset))).status).toBe(202);
    const stored = await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<string>().as('n')).where('asset_id', '=', asset).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(501);
    const keys = await db().selectFrom('analytics_event_keys').select((eb) => eb.fn.countAll<string>().as('n')).where('key', 'like', `%${asset}%`).executeTakeFirstOrThrow();
    expect(Number(keys.n)).toBe(0);
    expect(await idsHeldTwice()).toEqual([]);
  });

  it('a rollup\'s day lock held while the increment was lowered: the request reserved before it stores, one reserving after it is refused', async () => {
    const postNow = await poster();
    const asset = randomUUID();
    const rollup = await direct();
    // A rollup holding today's day lock exclusively, as the aggregation takes it.
    await rollup.query('BEGIN');
    await rollup.query('SELECT pg_advisory_xact_lock($1, $2)', [DAY_LOCK_NS, dayNumber(new Date())]);
    // Without keys, the block is reserved before the transaction; with keys, in the claim after the locks.
    const unkeyed = postNow(events(300, asset));
    const keyed = postNow(events(10, asset, true));
    const waits = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event = 'advisory' AND query LIKE 'BEGIN;%'`.execute(db())).rows[0]!.n;
    expect(await waitFor(async () => (await waits()) === 2, 10_000, 10)).toBe(true);
    try {
      await alterStep(1); // committed while both requests wait
      await rollup.query('COMMIT');
      expect((await unkeyed).status).toBe(202);
      expect((await keyed).status).toBe(500);
      expect((await Promise.all(Array.from({ length: 3 }, () => postNow(events(1, asset))))).map((r) => r.status)).toEqual([500, 500, 500]);
    } finally {
      await rollup.query('ROLLBACK').catch(() => undefined);
      await realign();
    }
    expect(await idsHeldTwice()).toEqual([]);
    expect((await postNow(events(300, asset))).status).toBe(202);
    const stored = await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll<string>().as('n')).where('asset_id', '=', asset).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(600);
  });
});
