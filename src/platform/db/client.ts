import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A repository method runs on the pool or inside a caller's transaction. */
export type Executor = Db | Tx;

// bigint columns (outbox ids, counts) arrive as strings; int8 counts we read are small.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface DbHandle {
  readonly db: Db;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * A client that never prepares a statement under a name: the name of a query config is dropped,
 * so pg sends it as the unnamed statement, parsed again on each call. PgBouncer (before 1.21) in
 * transaction mode hands each transaction any server connection, where a named statement is
 * missing or already exists. Kysely's own statements are unnamed already; the inbox's hot reads
 * (notifications/inbox.repository.ts) are named.
 */
class UnnamedStatementsClient extends pg.Client {}
const namedQuery = pg.Client.prototype.query;
UnnamedStatementsClient.prototype.query = function query(this: pg.Client, config: unknown, ...rest: unknown[]) {
  const unnamed = config && typeof config === 'object' && 'name' in config && !('submit' in config) ? { ...config, name: undefined } : config;
  return (namedQuery as (...args: unknown[]) => unknown).call(this, unnamed, ...rest);
} as typeof namedQuery;

export function createDb(connectionString: string, options: { max?: number; applicationName?: string; preparedStatements?: boolean } = {}): DbHandle {
  const pool = new pg.Pool({
    ...(options.preparedStatements === false ? { Client: UnnamedStatementsClient } : {}),
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'herald',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection (PostgreSQL restart) must not crash the process: idle ones are reported on
  // the pool, checked-out ones on the client, and their queries fail on their own promise anyway.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    // pool.end() waits for every checked-out client; one stuck in a dead connection must not
    // hold a shutdown forever.
    close: () => Promise.race([db.destroy(), new Promise<void>((r) => setTimeout(r, 5_000).unref())]),
  };
}
