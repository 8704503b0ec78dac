import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAndCommit, copyTransaction } from '../../src/platform/db/copy.js';
import { enqueueStatement } from '../../src/platform/queue/outbox.js';
import { createTestDatabase } from '../helpers/context.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';

/**
 * Review of issue 21 (4cbbcbd) as an attacker, guards for attacks that held: enqueueStatement's
 * INSERT as text with quoted literals keeps every value a value (standard_conforming_strings on or
 * off), and copyAndCommit's failures, with the COPY's data already behind the query, leave the
 * server connection clean for the next client of a PgBouncer in transaction mode (one server
 * connection shared by two client pools), the data never read as SQL.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let bouncer: PgBouncer;
let direct: pg.Pool;
let a: pg.Pool;
let b: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  bouncer = await startPgBouncer({ poolSize: 1 });
  direct = new pg.Pool({ connectionString: database.url, max: 2 });
  a = new pg.Pool({ connectionString: bouncer.url(database.name), max: 1 });
  b = new pg.Pool({ connectionString: bouncer.url(database.name), max: 1 });
});
afterAll(async () => {
  await Promise.all([a?.end(), b?.end(), direct?.end()]);
  await bouncer?.stop();
  await database?.drop();
});

const keysLike = async (prefix: string) => (await direct.query<{ key: string }>('SELECT key FROM analytics_event_keys WHERE key LIKE $1 ORDER BY key', [`${prefix}%`])).rows.map((r) => r.key);

/** A client of `pool` gets a server connection outside any transaction, and a COPY on it commits. */
async function clean(pool: pg.Pool, prefix: string, tag: string): Promise<void> {
  const client = await pool.connect();
  try {
    expect((await client.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open')).rows[0]!.open).toBe(false);
    expect(client.getTransactionStatus()).toBe('I');
  } finally {
    client.release();
  }
  expect(await copyTransaction(pool, (_tx, c) => copyAndCommit(c, 'COPY analytics_event_keys (key) FROM STDIN', `${prefix}-${tag}\n`))).toBe(1);
}

describe('ingestion\'s one-round-trip COPY, attacked (review of issue 21)', () => {
  for (const scs of ['on', 'off']) {
    it(`enqueueStatement keeps quotes, backslashes, $$ and E'' in values as values (standard_conforming_strings ${scs})`, async () => {
      const dedupe = `k'); DROP TABLE outbox; -- \\' $$ E'\\\\' ${randomUUID()}`;
      const payload = { s: "a'b\\c$$d", e: "E'\\x27' || (SELECT 1)", q: '\'\'', u: 'é😀\t\n', n: 1 };
      const client = await direct.connect();
      try {
        await client.query(`SET standard_conforming_strings = ${scs}`);
        await client.query(enqueueStatement('analytics-enrichment', 'AnalyticsEnrich', payload as never, { dedupeKey: dedupe, priority: -3.7 }, 'true'));
        await client.query(enqueueStatement('analytics-enrichment', 'AnalyticsEnrich', payload as never, { dedupeKey: dedupe }, 'false'));
        const rows = await client.query('SELECT queue, job_name, payload, priority, dedupe_key FROM outbox WHERE dedupe_key = $1', [dedupe]);
        expect(rows.rows).toEqual([{ queue: 'analytics-enrichment', job_name: 'AnalyticsEnrich', payload, priority: -3, dedupe_key: dedupe }]);
      } finally {
        await client.query('RESET standard_conforming_strings');
        client.release();
      }
    });
  }

  it('through PgBouncer (transaction mode, one server connection): a COPY failing before its CopyIn, on its first row of 2 MB, or a statement after it stores nothing, runs none of the data as SQL, and leaves the server connection clean for the other client', async () => {
    const prefix = randomUUID();
    const sqlInData = `;INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-injected');\nCOMMIT;\n`;
    const big = `${prefix}-1\tnot a time\n${`${prefix}-x\t2026-01-01T00:00:00Z\n${sqlInData}`.repeat(Math.ceil(2_000_000 / 120))}`;
    const attempts: Array<[string, string, string[], RegExp]> = [
      ['COPY analytics_event_keys (no_such_column) FROM STDIN', `${prefix}-0\n${sqlInData}`, [], /no_such_column/],
      ['COPY analytics_event_keys (key, created_at) FROM STDIN', big, [], /not a time/],
      ['COPY analytics_event_keys (key) FROM STDIN', `${prefix}-2\n`, ['SELECT 1 / 0', `INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-later')`], /division by zero/],
    ];
    for (const [i, [statement, data, after, error]] of attempts.entries()) {
      await expect(copyTransaction(a, async (_tx, c) => {
        await c.query(`INSERT INTO analytics_event_keys (key) VALUES ('${prefix}-before')`);
        return copyAndCommit(c, statement, data, after);
      })).rejects.toThrow(error);
      expect(await keysLike(prefix)).toEqual([]);
      await clean(b, prefix, `b${i}`);
      await clean(a, prefix, `a${i}`);
      expect(await keysLike(prefix)).toEqual([`${prefix}-a${i}`, `${prefix}-b${i}`]);
      await direct.query('DELETE FROM analytics_event_keys WHERE key LIKE $1', [`${prefix}%`]);
    }
  });
});
