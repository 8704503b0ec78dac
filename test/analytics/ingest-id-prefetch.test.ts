import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_EVENTS_PER_REQUEST } from '../../src/analytics/analytics.schemas.js';
import { ID_BLOCK } from '../../src/analytics/events.repository.js';
import { ingestionApp } from './helpers.js';
import { idSequence } from './id-sequence.js';

// A request without idempotency keys takes an id block its API process reserved ahead (IdBlocks,
// ANALYTICS_ID_PREFETCH a statement) and sends BEGIN, day locks, COPY, late flags, enrichment job and
// COMMIT in one write. What must hold: one round trip such a request, blocks never shared however
// many requests take them at once, a block used only while it is younger than
// ANALYTICS_ID_PREFETCH_MAX_AGE_MS, and blocks reserved before someone lowered the sequence's
// increment are still the process's own, while every reservation after it is refused.

const defaults = ingestionApp();
const held = ingestionApp({ ANALYTICS_ID_PREFETCH: '4', ANALYTICS_ID_PREFETCH_MAX_AGE_MS: '60000' });
const fresh = ingestionApp({ ANALYTICS_ID_PREFETCH: '4', ANALYTICS_ID_PREFETCH_MAX_AGE_MS: '0' });
const seqOf = { defaults: idSequence(defaults), held: idSequence(held), fresh: idSequence(fresh) };

afterEach(() => {
  vi.restoreAllMocks();
});

/** The ids a request stored, ascending (its events carry their own asset id). */
async function idsOf(app: ReturnType<typeof ingestionApp>, asset: string): Promise<bigint[]> {
  const rows = await app.db().selectFrom('analytics_events').select('id').where('asset_id', '=', asset).execute();
  return rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : 1));
}

/**
 * The texts of the queries the app's pooled clients send while `during` runs (a Submittable's text
 * too), on the class its pool makes (behind PgBouncer, one that overrides query).
 */
async function queriesDuring(app: ReturnType<typeof ingestionApp>, during: () => Promise<void>): Promise<string[]> {
  const texts: string[] = [];
  const probe = await app.t.app.database.pool.connect();
  const proto = Object.getPrototypeOf(probe) as pg.Client;
  probe.release();
  const original = proto.query;
  vi.spyOn(proto, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    texts.push(typeof q === 'string' ? q : q?.text ?? '');
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original);
  await during();
  return texts;
}

describe('a request without keys', () => {
  it('is one round trip: BEGIN, locks, COPY, flags, job and COMMIT in one query; one reservation for 16 requests', async () => {
    const { events, poster } = seqOf.defaults;
    const post = await poster();
    expect((await post(events(1, randomUUID()))).status).toBe(202); // this month's partition, made first
    const assets = Array.from({ length: 20 }, () => randomUUID());
    const texts = await queriesDuring(defaults, async () => {
      for (const a of assets) expect((await post(events(25, a))).status).toBe(202);
    });
    const transactions = texts.filter((t) => /^BEGIN\b/.test(t));
    expect(transactions).toHaveLength(20);
    for (const t of transactions) {
      expect(t).toMatch(/pg_advisory_xact_lock_shared[\s\S]*COPY analytics_events[\s\S]*analytics_flag_late_periods[\s\S]*AnalyticsEnrich[\s\S]*COMMIT$/);
    }
    expect(texts.filter((t) => /^(COMMIT|ROLLBACK)$/.test(t))).toEqual([]);
    // 20 requests, 16 blocks a reservation, one left from the first request's: 1 or 2 reservations.
    const reservations = texts.filter((t) => t.includes('nextval'));
    expect(reservations.length).toBeGreaterThanOrEqual(1);
    expect(reservations.length).toBeLessThanOrEqual(2);
    for (const a of assets) {
      const ids = await idsOf(defaults, a);
      expect(ids).toHaveLength(25);
      expect(ids[0]! % BigInt(ID_BLOCK)).toBe(0n);
      expect(ids[24]! - ids[0]!).toBe(24n);
    }
  });

  it('never shares a block: 32 requests at once, with and without keys, from one process\'s reservations', async () => {
    const { events, poster, idsHeldTwice } = seqOf.defaults;
    const requests = Array.from({ length: 32 }, (_, r) => ({ asset: randomUUID(), size: r % 5 === 0 ? MAX_EVENTS_PER_REQUEST : 20 + r, keyed: r % 4 === 1 }));
    const posts = await Promise.all(requests.map(() => poster()));
    const answers = await Promise.all(requests.map((q, i) => posts[i]!(events(q.size, q.asset, q.keyed))));
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 202));
    expect(await idsHeldTwice()).toEqual([]);
    for (const q of requests) {
      const ids = await idsOf(defaults, q.asset);
      expect(ids).toHaveLength(q.size);
      expect(ids[ids.length - 1]! - ids[0]!).toBe(BigInt(q.size - 1));
    }
  });
});

describe('blocks held ahead', () => {
  it('reserved before the increment was lowered stay the process\'s; every reservation after it is refused, nothing stored twice', async () => {
    const { events, poster, alterStep, realign, idsHeldTwice } = seqOf.held;
    const post = await poster();
    const asset = randomUUID();
    // Four blocks reserved now: this request takes one, three wait in the process.
    expect((await post(events(10, asset))).status).toBe(202);
    // Another writer takes the next values meanwhile (an INSERT's default: one nextval a row), before
    // the ALTER and after it (the reservation's highest value + 100: inside its unused block only).
    const insertOne = () => held.db().insertInto('analytics_events').values({ occurred_at: new Date(), event_type: 'asset_viewed', asset_id: asset }).execute();
    await insertOne();
    await alterStep(100);
    await insertOne();
    try {
      // The three held blocks were reserved at a step of 512: theirs alone, stored.
      for (let i = 0; i < 3; i++) expect((await post(events(500, asset))).status).toBe(202);
      // The next reservation gives values 100 apart: refused, keyed or not, nothing stored.
      expect((await post(events(1, asset))).status).toBe(500);
      expect((await post(events(5, asset, true))).status).toBe(500);
    } finally {
      await realign();
    }
    // Nothing of the refused reservation waits in the process: the next requests are stored.
    expect((await post(events(1, asset))).status).toBe(202);
    expect((await post(events(1, asset))).status).toBe(202);
    expect(await idsHeldTwice()).toEqual([]);
    expect(await idsOf(held, asset)).toHaveLength(10 + 2 + 1_500 + 2);
  });
  it('are used while younger than ANALYTICS_ID_PREFETCH_MAX_AGE_MS, and dropped unused past it', async () => {
    const a = [randomUUID(), randomUUID(), randomUUID()];
    const postHeld = await seqOf.held.poster();
    const postFresh = await seqOf.fresh.poster();
    for (const x of a.slice(0, 2)) expect((await postHeld(seqOf.held.events(3, x))).status).toBe(202);
    // Held (max age 60 s): the second request takes the next block of the same reservation.
    expect((await idsOf(held, a[1]!))[0]! - (await idsOf(held, a[0]!))[0]!).toBe(BigInt(ID_BLOCK));
    const b = [randomUUID(), randomUUID()];
    for (const x of b) expect((await postFresh(seqOf.fresh.events(3, x))).status).toBe(202);
    // Max age 0: the three blocks left by the first request are dropped; the second reserves anew
    // (4 blocks and the highest value, never used: 5 nextvals a reservation).
    expect((await idsOf(fresh, b[1]!))[0]! - (await idsOf(fresh, b[0]!))[0]!).toBe(BigInt(5 * ID_BLOCK));
  });

});
