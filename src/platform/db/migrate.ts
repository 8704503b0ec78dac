import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { StartupError } from '../resources.js';
import { migrationDirectives, splitStatements, type MigrationDirectives } from './migration-file.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

// Any fixed number: every process that starts at once waits on this lock, one applies.
const MIGRATION_LOCK_KEY = 4_242_001;

export interface Migration extends MigrationDirectives {
  readonly version: string;
  readonly sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => {
    const version = f.replace(/\.sql$/, '');
    const sql = await readFile(path.join(dir, f), 'utf8');
    return { version, sql, ...migrationDirectives(version, sql) };
  }));
}

/**
 * Applies pending migrations in order, each in its own transaction (or statement by statement,
 * `-- herald:no-transaction`); returns the versions applied. Refuses (StartupError) a database
 * that holds migrations this code does not know, unless each of them is an expand migration.
 */
export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const release = await holdMigrationLock(connectionString);
  const client = new pg.Client({ connectionString, application_name: 'herald-migrate' });
  try {
    await client.connect();
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    // Whether a version is an expand migration, which code older than it may still run on.
    await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS expand boolean NOT NULL DEFAULT false');
    const rows = (await client.query<{ version: string; expand: boolean }>('SELECT version, expand FROM schema_migrations')).rows;
    const migrations = await readMigrations(dir);
    refuseNewerSchema(rows, migrations);
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await (m.transaction ? applyInTransaction(client, m) : applyStatementByStatement(client, m));
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.end().catch(() => undefined);
    await release();
  }
}

/**
 * The migration lock, held by an open transaction on a connection of its own until every pending
 * migration is applied. Transaction-scoped, not a session lock: through PgBouncer in transaction
 * mode a session lock stays on a server connection other clients share (a second process running
 * on it takes the lock again at once) and its unlock may run elsewhere. Both kinds share one key
 * space, so an older release taking the session lock still waits for this one. Tried, not waited
 * on: a blocked waiter would pin a server connection the holder's migrations may need.
 */
async function holdMigrationLock(connectionString: string): Promise<() => Promise<void>> {
  const holder = new pg.Client({ connectionString, application_name: 'herald-migrate-lock' });
  holder.on('error', () => undefined); // a dropped connection fails the next query instead
  try {
    await holder.connect();
    for (let pause = 25; ; pause = Math.min(pause * 2, 1_000)) {
      // The holder sits idle in its transaction for the whole run: a server-wide
      // idle_in_transaction_session_timeout shorter than the run would end it and free the lock
      // while migrations still run, letting the next process apply the same ones beside them.
      await holder.query('BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0');
      // A simple query, no parameters: the extended protocol's unnamed portal would keep this
      // transaction's snapshot (backend_xmin) while it holds the lock, and CREATE INDEX
      // CONCURRENTLY in a no-transaction migration waits for every older snapshot: forever.
      const { rows } = await holder.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${MIGRATION_LOCK_KEY}) AS locked`);
      if (rows[0]?.locked) break;
      await holder.query('ROLLBACK');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  } catch (err) {
    await holder.end().catch(() => undefined);
    throw err;
  }
  return async () => {
    await holder.query('COMMIT').catch(() => undefined);
    await holder.end().catch(() => undefined);
  };
}

/**
 * A database migrated by newer code: this code would run against a schema it was not written
 * for (a dropped column, a renamed table). Refused, unless every newer migration declared itself
 * an expand migration (the rolling upgrade's first half, which old code runs on unharmed).
 */
function refuseNewerSchema(rows: readonly { version: string; expand: boolean }[], known: readonly Migration[]): void {
  const versions = new Set(known.map((m) => m.version));
  const newer = rows.filter((r) => !versions.has(r.version));
  const incompatible = newer.filter((r) => !r.expand).map((r) => r.version).sort();
  if (incompatible.length === 0) return;
  throw new StartupError(`The database has migrations this version of herald does not know: ${incompatible.join(', ')}. `
    + 'It was migrated by a newer release and is not backward-compatible with this one: run the newer release, '
    + 'or restore the backup taken before the upgrade (docs/OPERATIONS.md, Upgrades).');
}

async function applyInTransaction(client: pg.Client, m: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(m.sql);
    await client.query('INSERT INTO schema_migrations (version, expand) VALUES ($1, $2)', [m.version, m.expand]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw new Error(`Migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * `-- herald:no-transaction`: each statement on its own (CREATE INDEX CONCURRENTLY), the version
 * recorded only after the last succeeded. A failure leaves what ran in place, so the file must be
 * safe to run again (DROP INDEX CONCURRENTLY IF EXISTS first: a failed concurrent build leaves an
 * INVALID index behind, which IF NOT EXISTS would keep).
 */
async function applyStatementByStatement(client: pg.Client, m: Migration): Promise<void> {
  const statements = splitStatements(m.sql);
  for (const [i, statement] of statements.entries()) {
    try {
      await client.query(statement);
    } catch (err) {
      throw new Error(`Migration ${m.version} (no transaction) failed at statement ${i + 1} of ${statements.length}, `
        + `the ones before it stay applied: ${(err as Error).message}`, { cause: err });
    }
  }
  await client.query('INSERT INTO schema_migrations (version, expand) VALUES ($1, $2)', [m.version, m.expand]);
}
