import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Db } from './client.js';
import type { Database } from './schema.js';

/**
 * Transactions that COPY: Kysely runs every statement of the application but cannot COPY, and a
 * Kysely transaction keeps its pg client to itself. `copyTransaction` takes a client from the pool,
 * opens the transaction on it, and gives the callback both a Kysely over that one client (for the
 * repositories and the outbox, as in `db.transaction()`) and the client itself (for `copyFrom`).
 * Commit, rollback and release work as in Kysely's transactions: an error rolls back and is
 * rethrown, a connection that fails its rollback is discarded. An error in `opening` rolls back
 * the same way (it runs inside the transaction BEGIN opened).
 */
export async function copyTransaction<T>(
  pool: pg.Pool, fn: (tx: Db, client: pg.PoolClient, opened: pg.QueryResult | undefined) => Promise<T>, opening?: string,
): Promise<T> {
  const client = await pool.connect();
  let discard: Error | undefined;
  try {
    // `opening` (SQL text without parameters) goes with BEGIN in one simple query: one round trip
    // less. `opened` is its last statement's result.
    try {
      const begun = await client.query(opening === undefined ? 'BEGIN' : `BEGIN; ${opening}`) as pg.QueryResult | pg.QueryResult[];
      const result = await fn(kyselyOver(client), client, Array.isArray(begun) ? begun[begun.length - 1] : undefined);
      const commit = await client.query('COMMIT');
      // PostgreSQL completes COMMIT with a ROLLBACK tag when an earlier error aborted the transaction.
      if (commit.command === 'ROLLBACK') throw new Error('the transaction was aborted and rolled back');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        discard = rollbackError as Error;
      });
      throw err;
    }
  } finally {
    client.release(discard);
  }
}

// One Kysely a pooled client, made on its first transaction: a pool's clients live long.
const kyselies = new WeakMap<pg.PoolClient, Db>();

function kyselyOver(client: pg.PoolClient): Db {
  let db = kyselies.get(client);
  if (!db) {
    // Kysely "releases" its connection after each statement: the transaction's client stays checked out.
    const handle = { query: client.query.bind(client), release: () => undefined } as unknown as PostgresPoolClient;
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => handle, end: async () => undefined } }) });
    kyselies.set(client, db);
  }
  return db;
}

/** `COPY … FROM STDIN` of `data` (text format, already encoded) on `client`; resolves to the rows copied. */
export function copyFrom(client: pg.PoolClient, statement: string, data: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = client.query(copyFromStdin(statement));
    stream.on('error', reject);
    stream.on('finish', () => resolve(stream.rowCount));
    stream.end(data);
  });
}

/**
 * A value as a field of COPY's text format: backslash, tab, newline and carriage return escaped
 * (the only characters the format gives a meaning), null as \N.
 */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
