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
 * the same way (it runs inside the transaction BEGIN opened). A callback may end the transaction
 * itself with `copyAndCommit` (its COPY, its last statements and COMMIT in one round trip).
 */
export async function copyTransaction<T>(
  pool: pg.Pool, fn: (tx: Db, client: pg.PoolClient, opened: pg.QueryResult | undefined) => Promise<T>, opening?: string,
): Promise<T> {
  return onPooledClient(pool, async (client) => {
    // `opening` (SQL text without parameters) goes with BEGIN in one simple query: one round trip
    // less. `opened` is its last statement's result.
    const begun = await client.query(opening === undefined ? 'BEGIN' : `BEGIN; ${opening}`) as pg.QueryResult | pg.QueryResult[];
    const result = await fn(kyselyOver(client), client, Array.isArray(begun) ? begun[begun.length - 1] : undefined);
    // The callback ended the transaction itself with copyAndCommit: the server says it is idle.
    if (client.getTransactionStatus() === 'I') return result;
    const commit = await client.query('COMMIT');
    // PostgreSQL completes COMMIT with a ROLLBACK tag when an earlier error aborted the transaction.
    if (commit.command === 'ROLLBACK') throw new Error('the transaction was aborted and rolled back');
    return result;
  });
}

/**
 * `fn` on a client of `pool` that opens a transaction: an error rolls back and is rethrown, and a
 * client that fails its rollback is discarded rather than returned to the pool.
 */
async function onPooledClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let discard: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      discard = rollbackError as Error;
    });
    throw err;
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
 * Ends a copyTransaction: `COPY …` (`statement`), the parameterless `after` statements and COMMIT go
 * (behind the `before` statements, when copyInOneRoundTrip opens the transaction here too) as one simple query, and the COPY's data right behind it in the same write, without waiting for
 * PostgreSQL's CopyInResponse: one round trip where copyFrom, the statements and COMMIT took one
 * each plus the CopyIn exchange. Resolves to the rows copied once COMMIT completed.
 *
 * Why this is safe: PostgreSQL runs a simple query's statements in order and reads the COPY's data
 * when the COPY runs. If anything fails (the COPY statement before its CopyIn, a row, a later
 * statement), it answers one error, skips the rest of the query, so COMMIT never runs, and drops
 * any CopyData or CopyDone that still arrives (the protocol's rule after a failed COPY); the
 * connection is in step again at its ReadyForQuery, and copyTransaction rolls back as for any
 * error. The data is never read as a statement.
 */
export function copyAndCommit(client: pg.PoolClient, statement: string, data: string, after: readonly string[] = [], before: readonly string[] = []): Promise<number> {
  const text = [...before, statement, ...after, 'COMMIT'].join(';\n');
  // The Query message ends its text at a NUL: PostgreSQL would refuse the message, say so here.
  if (text.includes('\0')) return Promise.reject(new Error('copyAndCommit: a statement holds a NUL character'));
  return new Promise((resolve, reject) => {
    client.query(new CopyAndCommit(text, data, (err, tags) => {
      if (err) return reject(err);
      // Only COMMIT's own tag says it committed (an aborted transaction answers COMMIT with ROLLBACK).
      if (tags.at(-1) !== 'COMMIT') return reject(new Error(`copyAndCommit: the transaction ended with ${tags.at(-1) ?? 'nothing'}`));
      const copied = /^COPY (\d+)$/.exec(tags[before.length] ?? '');
      if (!copied) return reject(new Error(`copyAndCommit: the COPY answered ${tags[before.length] ?? 'nothing'}`));
      resolve(Number(copied[1]));
    }));
  });
}

/**
 * A whole transaction in one round trip: BEGIN, the parameterless `before` statements, the COPY with
 * its data, `after` and COMMIT, written at once (copyAndCommit); for a transaction that needs no
 * answer of PostgreSQL's before its COPY. Resolves to the rows copied once COMMIT completed. On an
 * error the transaction, aborted at its failing statement (PostgreSQL skips the rest and ignores the
 * COPY's data outside a COPY), is rolled back and the error rethrown; a connection that fails its
 * rollback is discarded, as in copyTransaction.
 */
export function copyInOneRoundTrip(pool: pg.Pool, before: readonly string[], statement: string, data: string, after: readonly string[]): Promise<number> {
  return onPooledClient(pool, (client) => copyAndCommit(client, statement, data, after, ['BEGIN', ...before]));
}

/**
 * pg's query queue takes any object with `submit` (as pg-copy-streams' are): this one writes the
 * Query, CopyData and CopyDone messages at once, then collects the statements' command tags until
 * ReadyForQuery (or the error: pg drops a query at its ErrorResponse and sends the next one only
 * after ReadyForQuery, so a ROLLBACK queued meanwhile follows the dropped data).
 */
class CopyAndCommit implements pg.Submittable {
  private readonly tags: string[] = [];
  private done = false;

  constructor(private readonly text: string, private readonly data: string, private readonly finish: (err: Error | null, tags: string[]) => void) {}

  submit(connection: pg.Connection): void {
    const textBytes = Buffer.byteLength(this.text);
    const dataBytes = Buffer.byteLength(this.data);
    const out = Buffer.allocUnsafe(1 + 4 + textBytes + 1 + 1 + 4 + dataBytes + 1 + 4);
    let at = out.writeUInt8(0x51, 0); // Query
    at = out.writeUInt32BE(4 + textBytes + 1, at);
    at += out.write(this.text, at);
    at = out.writeUInt8(0, at);
    at = out.writeUInt8(0x64, at); // CopyData
    at = out.writeUInt32BE(4 + dataBytes, at);
    at += out.write(this.data, at);
    at = out.writeUInt8(0x63, at); // CopyDone
    out.writeUInt32BE(4, at);
    connection.stream.write(out);
  }

  // pg wraps this one when query_timeout is set (as with pg-copy-streams).
  callback(): void {}

  handleCommandComplete(msg: { text: string }): void {
    this.tags.push(msg.text);
  }

  handleError(err: Error): void {
    this.end(err);
  }

  handleReadyForQuery(): void {
    this.end(null);
  }

  handleCopyInResponse(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private end(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.callback();
    this.finish(err, this.tags);
  }
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
