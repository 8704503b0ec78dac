import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

// Any fixed number: every process that starts at once waits on this lock, one applies.
const MIGRATION_LOCK_KEY = 4_242_001;

export interface Migration {
  readonly version: string;
  readonly sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => ({ version: f.replace(/\.sql$/, ''), sql: await readFile(path.join(dir, f), 'utf8') })));
}

/** Applies pending migrations in order, each in its own transaction; returns the versions applied. */
export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const release = await holdMigrationLock(connectionString);
  const client = new pg.Client({ connectionString, application_name: 'herald-migrate' });
  try {
    await client.connect();
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of await readMigrations(dir)) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
      }
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
      await holder.query('BEGIN');
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
