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
    // Two runs on one server (a CI clone's and a session's) may both find the template missing:
    // one builds it while the other waits, then finds it built.
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_build_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      await migrate(databaseUrl(building));
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
    await admin.query(`COMMENT ON DATABASE ${template} IS '${Date.now()}'`);
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    const all = await admin.query<{ datname: string; comment: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'herald\\_t%'`);
    for (const name of staleDatabases(all.rows, template, Date.now())) {
      // Without FORCE: a database someone is connected to survives.
      await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    }
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

/** pg_advisory_lock key for building a template (any constant of the test suite's own). */
const TEMPLATE_LOCK = 0x6865726c;
/** A template of another migration set stays this long after a run last used it (another checkout's run may still clone it). */
const TEMPLATE_KEEP_MS = 6 * 3_600_000;

/**
 * What interrupted runs left behind, and nothing a live run uses: a test database whose creator
 * (`herald_t_<pid>_…`, testDatabaseName) is not a live process, or one of an older naming; a
 * template of another migration set no run has used for TEMPLATE_KEEP_MS; a template build whose
 * builder is gone.
 */
export function staleDatabases(rows: readonly { datname: string; comment: string | null }[], template: string, now: number): string[] {
  return rows.flatMap(({ datname, comment }) => {
    if (datname.startsWith('herald_t_')) {
      const pid = /^herald_t_(\d+)_/.exec(datname)?.[1];
      return pid && alive(Number(pid)) ? [] : [datname];
    }
    if (!datname.startsWith('herald_tpl_') || datname === template) return [];
    const builder = /_build_(\d+)$/.exec(datname)?.[1];
    if (builder) return alive(Number(builder)) ? [] : [datname];
    return now - Number(comment ?? 0) > TEMPLATE_KEEP_MS ? [datname] : [];
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    pgbouncerPort: number;
  }
}
