import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Scratch PostgreSQL databases and Redis prefixes for benchmarks, always cleaned up. */

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** A unique lowercase name such as `herald_bench_api_3f9a1c2b`. */
export const uniqueName = (kind: string) => `herald_bench_${kind}_${randomBytes(4).toString('hex')}`;

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, application_name: 'herald-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the admin URL's server; `drop` forces out any session left. */
export async function createScratchDatabase(name: string): Promise<ScratchDatabase> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad database name ${name}`);
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Deletes every Redis key under `prefix:` (BullMQ queues, rate-limit counters). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Prints `label: n/total rows, r rows/s` to stderr at most every `everyMs`. */
export function progressReporter(label: string, total: number, everyMs = 2_000) {
  const started = performance.now();
  let last = started;
  let lastRows = 0;
  return (rows: number, force = false) => {
    const now = performance.now();
    if (!force && now - last < everyMs) return;
    const rate = ((rows - lastRows) / (now - last)) * 1000;
    const overall = (rows / (now - started)) * 1000;
    log(`${label}: ${rows.toLocaleString('en')}/${total.toLocaleString('en')} rows, ${Math.round(rate).toLocaleString('en')} rows/s now, ${Math.round(overall).toLocaleString('en')} rows/s overall`);
    last = now;
    lastRows = rows;
  };
}

/**
 * Streams rows into `COPY table (columns) FROM STDIN` (text format). `rows` yields one line per
 * row, already escaped, without the trailing newline. Returns the row count PostgreSQL reports.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: Iterable<string>,
  onProgress?: (rows: number) => void,
): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  function* chunks(): Generator<string> {
    const CHUNK = 2_000;
    let buffer: string[] = [];
    let sent = 0;
    for (const row of rows) {
      buffer.push(row);
      if (buffer.length === CHUNK) {
        yield `${buffer.join('\n')}\n`;
        sent += buffer.length;
        buffer = [];
        onProgress?.(sent);
      }
    }
    if (buffer.length) yield `${buffer.join('\n')}\n`;
    onProgress?.(sent + buffer.length);
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), copy);
  return copy.rowCount;
}

/**
 * One COPY per source, each on its own connection, so PostgreSQL parses and indexes on several
 * cores. `sessionSql` runs on each connection first. Returns the total row count.
 */
export async function copyInParallel(
  databaseUrl: string,
  table: string,
  columns: readonly string[],
  sources: ReadonlyArray<Iterable<string>>,
  options: { label: string; total: number; sessionSql?: readonly string[] },
): Promise<number> {
  const sent = sources.map(() => 0);
  const report = progressReporter(options.label, options.total);
  const counts = await Promise.all(sources.map(async (rows, k) => {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `herald-bench-copy-${k}` });
    await client.connect();
    try {
      for (const statement of options.sessionSql ?? []) await client.query(statement);
      return await copyRows(client, table, columns, rows, (n) => {
        sent[k] = n;
        report(sent.reduce((a, b) => a + b, 0));
      });
    } finally {
      await client.end();
    }
  }));
  const total = counts.reduce((a, b) => a + b, 0);
  report(total, true);
  return total;
}

/**
 * The indexes of `table` that back no constraint (not the primary key, not a unique constraint),
 * with the `CREATE INDEX …` that recreates each: a seed drops them before a bulk COPY and builds
 * them after, once each, instead of maintaining them row by row.
 */
export async function secondaryIndexes(client: pg.ClientBase, table: string): Promise<Array<{ name: string; definition: string }>> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = to_regclass($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`, [table]);
  return rows;
}

/** Logs `EXPLAIN (ANALYZE, BUFFERS)` of a compiled query (kysely's `.compile()`) to stderr. */
export async function explain(pool: pg.Pool, label: string, query: { sql: string; parameters: readonly unknown[] }): Promise<void> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, [...query.parameters]);
  log(`${label}:\n${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
}
