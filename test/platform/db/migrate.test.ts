import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/platform/db/migrate.js';
import { StartupError } from '../../../src/platform/resources.js';
import { ADMIN_URL, databaseUrl, testDatabaseName } from '../../helpers/env.js';
import { openResources } from '../../helpers/resources.js';

/**
 * The runner on an empty database (not the migrated template) with migration folders written
 * here: migrations outside a transaction (CREATE INDEX CONCURRENTLY), and code refusing a
 * database migrated by a newer release unless every newer migration was an expand migration.
 */
const made: string[] = [];
const dirs: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = testDatabaseName();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  made.push(name);
  openResources.add(`database ${name}`);
  return databaseUrl(name);
}

/** A migrations folder holding these files (name → SQL). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const TABLE = { '0001_items.sql': 'CREATE TABLE items (id int PRIMARY KEY, name text);\nINSERT INTO items SELECT g, g::text FROM generate_series(1, 1000) g;\n' };
const CONCURRENT_INDEX = `-- Builds the index without blocking writes.
-- herald:no-transaction
-- herald:expand
DROP INDEX CONCURRENTLY IF EXISTS items_name_idx;
CREATE INDEX CONCURRENTLY items_name_idx ON items (name);
`;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const name of made) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      openResources.delete(`database ${name}`);
    }
  } finally {
    await admin.end();
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const versions = (url: string) => query<{ version: string; expand: boolean }>(url, 'SELECT version, expand FROM schema_migrations ORDER BY version');

describe('a migration outside a transaction (-- herald:no-transaction)', () => {
  it('runs CREATE INDEX CONCURRENTLY statement by statement and records the version after it', async () => {
    const url = await emptyDatabase();
    const dir = await folder({ ...TABLE, '0002_items_name_idx.sql': CONCURRENT_INDEX });
    expect(await migrate(url, dir)).toEqual(['0001_items', '0002_items_name_idx']);
    const [index] = await query<{ valid: boolean }>(url, "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass");
    expect(index).toEqual({ valid: true });
    expect(await versions(url)).toEqual([{ version: '0001_items', expand: false }, { version: '0002_items_name_idx', expand: true }]);
    expect(await migrate(url, dir)).toEqual([]);
  });

  it('is not recorded when a statement fails; what ran before stays, and the fixed file runs again from the top', async () => {
    const url = await emptyDatabase();
    // A failed concurrent build leaves an INVALID index behind: here a unique index over duplicates.
    await migrate(url, await folder(TABLE));
    await query(url, "INSERT INTO items VALUES (1001, '1')");
    const broken = await folder({ ...TABLE, '0002_items_name_key.sql': '-- herald:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS items_name_key;\nCREATE UNIQUE INDEX CONCURRENTLY items_name_key ON items (name);\n' });
    await expect(migrate(url, broken)).rejects.toThrow(/Migration 0002_items_name_key \(no transaction\) failed at statement 2 of 2.*could not create unique index/);
    expect((await versions(url)).map((v) => v.version)).toEqual(['0001_items']);
    expect(await query(url, "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'items_name_key'::regclass")).toEqual([{ valid: false }]);

    await query(url, 'DELETE FROM items WHERE id = 1001');
    expect(await migrate(url, broken)).toEqual(['0002_items_name_key']);
    expect(await query(url, "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'items_name_key'::regclass")).toEqual([{ valid: true }]);
  });

  it('completes while other processes wait for the migration lock (a CONCURRENTLY build waits for older snapshots)', async () => {
    const url = await emptyDatabase();
    const dir = await folder({ ...TABLE, '0002_items_name_idx.sql': CONCURRENT_INDEX });
    const runs = await Promise.all([migrate(url, dir), migrate(url, dir), migrate(url, dir)]);
    expect(runs.flat().sort()).toEqual(['0001_items', '0002_items_name_idx']);
    expect((await versions(url)).map((v) => v.version)).toEqual(['0001_items', '0002_items_name_idx']);
  });

  it('refuses a misspelt directive by name rather than running the file in a transaction', async () => {
    const url = await emptyDatabase();
    const dir = await folder({ ...TABLE, '0002_x.sql': '-- herald:no-transactions\nSELECT 1;\n' });
    await expect(migrate(url, dir)).rejects.toThrow('Migration 0002_x: unknown directive "herald:no-transactions" (known: no-transaction, expand)');
    expect(await query(url, "SELECT to_regclass('items') AS t")).toEqual([{ t: null }]);
  });
});

describe('a database migrated by a newer release', () => {
  const ADD_COLUMN = '-- herald:expand\nALTER TABLE items ADD COLUMN colour text;\n';
  const DROP_COLUMN = 'ALTER TABLE items DROP COLUMN name;\n';

  it('stops older code from starting, naming the migrations it does not know', async () => {
    const url = await emptyDatabase();
    await migrate(url, await folder({ ...TABLE, '0002_drop_name.sql': DROP_COLUMN, '0003_more.sql': 'SELECT 1;' }));
    const old = await folder(TABLE);
    const refusal = await migrate(url, old).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(StartupError);
    expect((refusal as Error).message).toMatch(/^The database has migrations this version of herald does not know: 0002_drop_name, 0003_more\. /);
  });

  it('lets older code start after expand migrations only, and stops it once a contract migration follows', async () => {
    const url = await emptyDatabase();
    const old = await folder(TABLE);
    await migrate(url, old);
    // Release N+1: an expand migration. Release N still starts beside it (a rolling upgrade).
    expect(await migrate(url, await folder({ ...TABLE, '0002_colour.sql': ADD_COLUMN }))).toEqual(['0002_colour']);
    expect(await migrate(url, old)).toEqual([]);
    // Release N+2 contracts: release N must not start any more, and says which migration stops it.
    await migrate(url, await folder({ ...TABLE, '0002_colour.sql': ADD_COLUMN, '0003_drop_name.sql': DROP_COLUMN }));
    await expect(migrate(url, old)).rejects.toThrow(/does not know: 0003_drop_name\. /);
    // Release N+1 knows 0002 and finds only 0003 new: refused too, the expand migration not named.
    await expect(migrate(url, await folder({ ...TABLE, '0002_colour.sql': ADD_COLUMN }))).rejects.toThrow(/does not know: 0003_drop_name\. /);
  });
});

describe('the migration lock under idle_in_transaction_session_timeout', () => {
  it('stays held while a migration runs longer than the timeout: a second runner waits instead of migrating beside it', async () => {
    // The lock's holder is idle in its transaction for the whole run. A server timeout shorter
    // than the run ended it and freed the lock: the second runner took it, saw the version
    // unrecorded and ran the same migration beside the first (here: 'relation "slow" already exists').
    const url = await emptyDatabase();
    await query(url, `ALTER DATABASE ${new URL(url).pathname.slice(1)} SET idle_in_transaction_session_timeout = '200ms'`);
    const dir = await folder({ '0001_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(1.5);\n' });
    const first = migrate(url, dir);
    // The second starts once the first has been inside its migration for twice the timeout.
    await expect.poll(async () => (await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'herald-migrate' AND query LIKE '%pg_sleep(1.5)%' AND clock_timestamp() - query_start > interval '400 milliseconds'"))[0]!.n, { timeout: 5_000, interval: 50 }).toBe(1);
    const second = migrate(url, dir);
    expect(await first).toEqual(['0001_slow']);
    expect(await second).toEqual([]);
  });
});
