import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ingestionApp } from '../analytics/helpers.js';

/**
 * Review of issue 21 (attacker/scheduler of races): ingestion writes events by COPY in text format
 * with ids reserved from the identity sequence. Texts COPY gives a meaning to, in every free field
 * (the user agent too), must arrive as sent; interleaved requests must get distinct ids, their own
 * enrichment ranges and exact counts; the same keys sent concurrently must be stored once.
 */
const app = ingestionApp();
const { db, post } = app;

describe('COPY ingestion attacks', () => {
  it('a user agent holding tab, backslash, "\\." and Latin-1 is stored as sent', async () => {
    const asset = randomUUID();
    const ua = 'Mozilla\t5.0 \\. \\N back\\slash é ÿ';
    const res = await post([{ eventType: 'asset_viewed', assetId: asset }, { eventType: 'asset_viewed', assetId: asset }], { 'user-agent': ua });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const rows = await db().selectFrom('analytics_events').select(['user_agent']).where('asset_id', '=', asset).execute();
    expect(rows.map((r) => r.user_agent)).toEqual([ua, ua]);
  });

  it('deeply nested props, a line that is only "\\.", a CR LF, and a text that ends in a backslash', async () => {
    const asset = randomUUID();
    let deep: unknown = 1;
    for (let i = 0; i < 2000; i++) deep = [deep];
    const texts = ['\\.', '\r\n', 'x\\', '\\', '\n\\.\n', '\t', '\u2028\u2029', '\ufeff', '😀'.repeat(64)];
    const res = await post([
      { eventType: 'asset_viewed', assetId: asset, props: { deep } },
      ...texts.map((s, i) => ({ eventType: 'asset_viewed', assetId: asset, sessionId: s, props: { [s]: s, i } })),
    ]);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(202);
    const rows = await db().selectFrom('analytics_events').select(['session_id', 'props']).where('asset_id', '=', asset).where('session_id', 'is not', null).execute();
    const got = rows.map((r) => r.session_id).sort();
    expect(got).toEqual([...texts].sort());
    for (const r of rows) expect((r.props as Record<string, unknown>)[r.session_id!]).toBe(r.session_id);
  });

  it('interleaved requests: counts add up, ids are distinct and each enrichment range holds its own rows', async () => {
    const assets = Array.from({ length: 12 }, () => randomUUID());
    const before = Number((await sql<{ id: number }>`SELECT coalesce(max(id), 0)::int8 AS id FROM outbox`.execute(db())).rows[0]!.id);
    const res = await Promise.all(assets.map((a, k) => post(Array.from({ length: 40 + k }, (_, i) => ({ eventType: 'asset_viewed', assetId: a, idempotencyKey: `${a}-${i % 30}`, props: { engagementTime: i } })))));
    expect(res.map((r) => r.status)).toEqual(assets.map(() => 202));
    expect(res.map((r) => r.body.data.accepted)).toEqual(assets.map(() => 30));
    const rows = await db().selectFrom('analytics_events').select(['id', 'asset_id']).where('asset_id', 'in', assets).execute();
    expect(rows).toHaveLength(30 * assets.length);
    expect(new Set(rows.map((r) => String(r.id))).size).toBe(rows.length);
    const jobs = await db().selectFrom('outbox').select('payload').where('job_name', '=', 'AnalyticsEnrich').where('id', '>', before).execute();
    const ranges = jobs.map((j) => (typeof j.payload === 'string' ? JSON.parse(j.payload) : j.payload) as { fromId: string; toId: string });
    for (const a of assets) {
      const ids = rows.filter((r) => r.asset_id === a).map((r) => Number(r.id));
      expect(ranges.some((r) => Number(r.fromId) === Math.min(...ids) && Number(r.toId) === Math.max(...ids)), a).toBe(true);
    }
  });

  it('a request repeated concurrently with the same keys stores each key once', async () => {
    const asset = randomUUID();
    const body = Array.from({ length: 50 }, (_, i) => ({ eventType: 'asset_viewed', assetId: asset, idempotencyKey: `k-${asset}-${i}` }));
    const res = await Promise.all(Array.from({ length: 6 }, () => post(body)));
    expect(res.map((r) => r.status)).toEqual(res.map(() => 202));
    expect(res.reduce((n, r) => n + r.body.data.accepted, 0)).toBe(50);
    const n = await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll().as('n')).where('asset_id', '=', asset).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(50);
  });
});
