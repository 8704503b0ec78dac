import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate, readMigrations } from '../../src/platform/db/migrate.js';
import { ADMIN_URL, databaseUrl } from './env.js';
import { startPgBouncer } from './pgbouncer.js';

/**
 * Builds the migrated template database once per migration set; every test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of re-running migrations.
 */
export default async function setup({ provide }: TestProject) {
  const migrations = await readMigrations();
  // The runner too: it owns schema_migrations' own columns (expand), which a template built by an
  // older runner would lack.
  const runner = await readFile(path.join(import.meta.dirname, '../../src/platform/db/migrate.ts'), 'utf8');
  const hash = createHash('sha256').update(migrations.map((m) => m.version + m.sql).join('\n') + runner).digest('hex').slice(0, 12);
  const template = `herald_tpl_${hash}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_build_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      await migrate(databaseUrl(building));
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
    // Leftovers of interrupted runs and templates of older migration sets; without FORCE, so
    // databases another run is using survive.
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'herald_t\\_%' OR (datname LIKE 'herald_tpl\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_build\\_%')`, [template]);
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
  } finally {
    await admin.end();
  }
  provide('templateDatabase', template);
  // The pgbouncer group (TEST_PGBOUNCER=1, .ci/run): every test app goes through one pgbouncer in
  // transaction mode (test/helpers/context.ts); 0 otherwise.
  if (!process.env.TEST_PGBOUNCER) return provide('pgbouncerPort', 0);
  const bouncer = await startPgBouncer({ poolSize: 5 });
  provide('pgbouncerPort', bouncer.port);
  return () => bouncer.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    pgbouncerPort: number;
  }
}
