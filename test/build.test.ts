import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../src/platform/net.js';
import { deleteRedisPrefix } from './helpers/context.js';
import { ADMIN_URL, databaseUrl, REDIS_URL, testDatabaseName } from './helpers/env.js';
import { spawnNode, type HeraldProcess } from './helpers/processes.js';

/**
 * The compiled build (issue 20): `npm run build` emits dist/, and `node dist/main.js` runs every
 * role and the CLI with no TypeScript loader. The build is run here (it takes about a second),
 * then copied into a tree whose node_modules lacks what only builds and development need (tsx,
 * esbuild, faker, smtp-server): a process that still reached for them would fail there. The database starts empty,
 * so the migrations are found from dist/ and applied.
 */
const root = path.resolve(import.meta.dirname, '..');
/** What only builds, tests and development need (devDependencies), left out of the runtime tree. */
const BUILD_ONLY = new Set(['tsx', 'esbuild', '@esbuild', '@faker-js', 'smtp-server', '.bin']);
const prefix = `tbuild${process.pid}`;
const database = testDatabaseName('build');
let tree = '';
let holder: pg.Client;
let env: Record<string, string>;
const runs: HeraldProcess[] = [];

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  tree = await mkdtemp(path.join(tmpdir(), 'herald-dist-'));
  const app = path.join(tree, 'herald');
  await mkdir(path.join(app, 'node_modules'), { recursive: true });
  // A copy: modules resolve from their real path, so dist/ must live inside the trimmed tree.
  await cp(path.join(root, 'dist'), path.join(app, 'dist'), { recursive: true, filter: (file) => !file.endsWith('.tmp') }); // another build's files in flight
  for (const entry of ['package.json', 'migrations', 'web', 'packages']) await symlink(path.join(root, entry), path.join(app, entry));
  for (const entry of await readdir(path.join(root, 'node_modules'))) {
    if (!BUILD_ONLY.has(entry)) await symlink(path.join(root, 'node_modules', entry), path.join(app, 'node_modules', entry));
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`).finally(() => admin.end());
  // Held open so that another run's clean-up of idle test databases leaves this one alone.
  holder = new pg.Client({ connectionString: databaseUrl(database) });
  await holder.connect();
  env = { DATABASE_URL: databaseUrl(database), REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: path.join(tree, 'data'), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
}, 60_000);

afterAll(async () => {
  // A failed assertion leaves its process running: it must not outlive the file.
  for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await Promise.all(runs.map((run) => run.exited));
  await holder?.end();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).finally(() => admin.end());
  await deleteRedisPrefix(prefix);
  if (tree) await rm(tree, { recursive: true, force: true });
});

/** `node dist/main.js <args>` from the trimmed tree, started from another folder (paths must not depend on the cwd). */
function runBuilt(args: string[], extra: Record<string, string> = {}): HeraldProcess {
  const run = spawnNode([path.join(tree, 'herald/dist/main.js'), ...args], { ...env, ...extra }, tmpdir());
  runs.push(run);
  return run;
}

/** The process's own command line, as the kernel has it: node, the script, the arguments; no --import or --loader. */
async function commandLine(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
}

async function stopGracefully(run: HeraldProcess): Promise<void> {
  run.child.kill('SIGTERM');
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toContain('"msg":"herald stopped"');
  expect(run.output()).not.toMatch(/"level":50|\n\s+at /);
}

describe('node dist/main.js', () => {
  it('runs the API from dist/ alone: migrates an empty database, serves health, the inbox bundle, the dashboard and the docs', async () => {
    const port = await freePort();
    const run = runBuilt(['api'], { PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    expect(await waitFor(async () => run.output().includes(`herald is listening on ${url}`) || run.child.exitCode !== null, 45_000, 100), run.output()).toBe(true);
    expect(await commandLine(run.child.pid!)).toEqual([process.execPath, path.join(tree, 'herald/dist/main.js'), 'api']);
    const health = await fetch(`${url}/api/health`);
    expect(await health.json()).toEqual({ success: true, data: { status: 'ok', postgres: 'up', redis: 'up' } });
    // The page's bundle is the one the build made (esbuild is not installed in this tree).
    const bundle = await fetch(`${url}/inbox/app.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toBe(await readFile(path.join(tree, 'herald/dist/web/inbox.app.js'), 'utf8'));
    for (const page of ['/', '/inbox/inbox.css', '/admin', '/admin/app.js', '/api/docs', '/api/openapi.json']) {
      expect((await fetch(`${url}${page}`)).status, page).toBe(200);
    }
    const migrations = (await readdir(path.join(root, 'migrations'))).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
    expect((await holder.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version)).toEqual(migrations);
    await stopGracefully(run);
  }, 60_000);

  it('runs the worker, the scheduler and all roles at once, each stopping gracefully on SIGTERM', async () => {
    const port = await freePort();
    const runs = [runBuilt(['worker']), runBuilt(['scheduler']), runBuilt(['all'], { PORT: String(port) })];
    for (const run of runs) {
      expect(await waitFor(async () => run.output().includes('"msg":"herald started"') || run.child.exitCode !== null, 45_000, 100), run.output()).toBe(true);
      expect((await commandLine(run.child.pid!)).slice(1, 2)).toEqual([path.join(tree, 'herald/dist/main.js')]);
    }
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    await Promise.all(runs.map(stopGracefully));
  }, 60_000);

  it('runs the CLI commands', async () => {
    const help = runBuilt(['help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('herald users create');
    const migrate = runBuilt(['migrate']);
    expect(await migrate.exited, migrate.output()).toBe(0);
    const user = runBuilt(['users', 'create', '--email', 'built@example.com', '--role', 'ADMIN', '--password', 'built-password-1']);
    expect(await user.exited, user.output()).toBe(0);
    expect((await holder.query('SELECT role FROM users WHERE email = $1', ['built@example.com'])).rows).toEqual([{ role: 'ADMIN' }]);
    const usage = runBuilt(['worker', '--queues', 'nope']);
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toContain('Unknown queue(s) nope');
    // Demo data needs faker, a development dependency: one line saying so, every other command unaffected.
    const seed = runBuilt(['seed', '--users', '1']);
    expect(await seed.exited).toBe(1);
    expect(seed.output().trim()).toBe('herald seed makes demo data with @faker-js/faker, a development dependency that is not installed here: run it from a full install (npm ci), not one made with --omit=dev.');
  }, 60_000);
});
