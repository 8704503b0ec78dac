import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { copyFrom, copyTransaction } from '../../src/platform/db/copy.js';
import { ingestionApp } from './helpers.js';

// Ingestion writes a request's events by COPY on its transaction's client (issue 21): what COPY's
// text format gives a meaning to (backslash, tab, newline, carriage return) must arrive as sent,
// the enrichment job must get the request's id and time range, and a failed transaction must
// leave nothing behind and its client usable.

const app = ingestionApp();
const { db, post } = app;

describe('ingestion by COPY', () => {
  it('stores texts holding COPY\'s special characters exactly as sent', async () => {
    const asset = randomUUID();
    const odd = ['tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', '\\N', '\\.', 'ünï €😀', 'end\\'];
    const res = await post(odd.map((s, i) => ({
      eventType: 'asset_viewed', assetId: asset, sessionId: s, idempotencyKey: `${s}-${i}-${asset}`,
      props: { engagementTime: i, note: s, nested: { q: '"\\"' } },
    })));
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ accepted: odd.length, duplicates: 0 });
    const rows = await db().selectFrom('analytics_events').select(['session_id', 'visitor_id', 'idempotency_key', 'props', 'engagement_time'])
      .where('asset_id', '=', asset).orderBy('engagement_time').execute();
    expect(rows).toEqual(odd.map((s, i) => ({
      session_id: s, visitor_id: `s:${s}`, idempotency_key: `${s}-${i}-${asset}`, props: { engagementTime: i, note: s, nested: { q: '"\\"' } }, engagement_time: i,
    })));
  });

  it('gives the enrichment job the request\'s id and time range', async () => {
    const asset = randomUUID();
    const at = [new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000)];
    const res = await post([
      { eventType: 'asset_viewed', assetId: asset, occurredAt: at[1]!.toISOString() },
      { eventType: 'asset_viewed', assetId: asset, occurredAt: at[0]!.toISOString() },
      { eventType: 'asset_viewed', assetId: asset },
    ]);
    expect(res.status).toBe(202);
    const ids = await db().selectFrom('analytics_events').select(['id', 'occurred_at']).where('asset_id', '=', asset).execute();
    const job = await db().selectFrom('outbox').select('payload').where('job_name', '=', 'AnalyticsEnrich').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const payload = (typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload) as { fromId: string; toId: string; from: string; to: string };
    const numeric = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
    expect([Number(payload.fromId), Number(payload.toId)]).toEqual([numeric[0], numeric[2]]);
    const times = ids.map((r) => r.occurred_at.getTime()).sort((a, b) => a - b);
    expect([new Date(payload.from).getTime(), new Date(payload.to).getTime()]).toEqual([times[0], times[2]]);
  });

  it('refuses a NUL or a lone surrogate in any free text with the contract\'s 400, storing nothing (it was a 500)', async () => {
    const asset = randomUUID();
    const res = await post([
      { eventType: 'asset_viewed', assetId: asset, sessionId: 'whole pair 😀' },
      { eventType: 'asset_viewed', assetId: asset, sessionId: 'a\ud800b' },
      { eventType: 'asset_viewed', assetId: asset, idempotencyKey: 'k\u0000' },
      { eventType: 'asset_viewed', assetId: asset, props: { note: '\udc00' } },
      { eventType: 'asset_viewed', assetId: asset, props: { 'k\u0000': 1 } },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid request body');
    const paths = res.body.details.map((d: { path: unknown[] }) => d.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['events.1.sessionId', 'events.2.idempotencyKey', 'events.3.props', 'events.4.props']));
    expect(paths.some((p: string) => p.startsWith('events.0'))).toBe(false);
    expect(Number((await db().selectFrom('analytics_events').select((eb) => eb.fn.countAll().as('n')).where('asset_id', '=', asset).executeTakeFirstOrThrow()).n)).toBe(0);
    // A backslash before `u0000` is text, not a NUL: stored as sent.
    const ok = await post([{ eventType: 'asset_viewed', assetId: asset, sessionId: 'whole pair 😀', props: { note: '\\u0000' } }]);
    expect(ok.status).toBe(202);
    expect(await db().selectFrom('analytics_events').select(['session_id', 'props']).where('asset_id', '=', asset).execute())
      .toEqual([{ session_id: 'whole pair 😀', props: { note: '\\u0000' } }]);
  });

  it('reserves one id a stored event when keys repeat, within the request and across requests', async () => {
    const asset = randomUUID();
    const keyed = (k: string) => ({ eventType: 'asset_viewed', assetId: asset, idempotencyKey: `${asset}-${k}` });
    const plain = { eventType: 'asset_viewed', assetId: asset };
    expect((await post([keyed('a'), plain, keyed('b')])).body.data).toEqual({ accepted: 3, duplicates: 0 });
    // a and b are duplicates now, c twice in the request: one c and the two plain events are stored.
    const res = await post([keyed('a'), plain, keyed('c'), keyed('b'), keyed('c'), plain]);
    expect(res.body.data).toEqual({ accepted: 3, duplicates: 3 });
    const rows = await db().selectFrom('analytics_events').select(['id', 'idempotency_key']).where('asset_id', '=', asset).orderBy('id').execute();
    expect(rows.map((r) => r.idempotency_key)).toEqual([`${asset}-a`, null, `${asset}-b`, null, `${asset}-c`, null]);
    const ids = rows.slice(3).map((r) => Number(r.id));
    const job = await db().selectFrom('outbox').select('payload').where('job_name', '=', 'AnalyticsEnrich').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const payload = (typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload) as { fromId: string; toId: string };
    // Nothing else ingests in this database meanwhile: the request's ids follow each other, and
    // its enrichment range is theirs.
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2]);
    expect([Number(payload.fromId), Number(payload.toId)]).toEqual([ids[0], ids[2]]);
  });

  it('rolls back when the statement sent with BEGIN fails, and the client goes back to the pool usable', async () => {
    const pool = app.t.app.database.pool;
    let ran = false;
    await expect(copyTransaction(pool, async () => {
      ran = true;
      return 1;
    }, 'SELECT count(pg_advisory_xact_lock_shared(1, d)) FROM unnest(\'{1}\'::int[]) d; SELECT 1 / 0')).rejects.toThrow(/division by zero/);
    expect(ran).toBe(false);
    const clients = await Promise.all(Array.from({ length: 3 }, () => pool.connect()));
    for (const c of clients) {
      expect((await c.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open')).rows[0]!.open).toBe(false);
      expect((await c.query('SELECT count(*)::int AS n FROM pg_locks WHERE locktype = \'advisory\' AND pid = pg_backend_pid()')).rows[0].n).toBe(0);
      c.release();
    }
  });

  it('rolls back a COPY whose transaction fails, and the client goes back to the pool usable', async () => {
    const pool = app.t.app.database.pool;
    const asset = randomUUID();
    const row = `${asset}\t2026-01-01T00:00:00.000Z\tcopy_test\n`;
    await expect(copyTransaction(pool, async (_tx, client) => {
      expect(await copyFrom(client, 'COPY analytics_event_keys (key, created_at, key_check) FROM STDIN', row).catch(() => -1)).toBe(-1);
      return 1;
    })).rejects.toThrow();
    await expect(copyTransaction(pool, async (tx, client) => {
      await sql`CREATE TEMP TABLE copy_probe (key text, created_at timestamptz, kind text) ON COMMIT DROP`.execute(tx);
      expect(await copyFrom(client, 'COPY copy_probe FROM STDIN', row)).toBe(1);
      await sql`INSERT INTO analytics_event_keys (key) SELECT key FROM copy_probe`.execute(tx);
      throw new Error('after the COPY');
    })).rejects.toThrow('after the COPY');
    expect(await db().selectFrom('analytics_event_keys').select('key').where('key', '=', asset).execute()).toEqual([]);
    // Every client of the pool answers outside any transaction.
    const clients = await Promise.all(Array.from({ length: 3 }, () => pool.connect()));
    for (const c of clients) {
      expect((await c.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open')).rows[0]!.open).toBe(false);
      c.release();
    }
  });
});
