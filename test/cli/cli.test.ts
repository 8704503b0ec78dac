import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { COMMANDS, commandUsage, resolveCommand } from '../../src/cli/usage.js';
import { createTestDatabase } from '../helpers/context.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: Awaited<ReturnType<typeof createTestDatabase>>;

// Held open: another run's global setup drops every test database nobody is connected to, and
// between two CLI processes nobody would be.
let holder: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
});
afterAll(async () => {
  await holder.end();
  await database.drop();
});

function herald(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(path.join(root, 'bin/herald.js'), args, {
    cwd: root, env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('herald CLI', { timeout: 180_000 }, () => {
  it('migrate reports an up-to-date database', () => {
    const run = herald(['migrate']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Database is up to date.');
  });

  it('users create makes a user who can sign in, with a generated password when none is given: in a 0600 file, not on stdout that is no terminal', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'herald-cli-'));
    try {
      const run = herald(['users', 'create', '--email', 'Ops@Example.com', '--role', 'admin', '--name', 'Ops'], { DATA_DIR: dataDir });
      expect(run.code, run.out).toBe(0);
      const file = path.join(dataDir, 'user-password-ops@example.com');
      const match = /^Created ADMIN ops@example\.com \(([0-9a-f-]{36})\); its password is in (\S+) \(stdout is not a terminal\)\n$/.exec(run.out);
      expect(match, run.out).not.toBeNull();
      expect(match![2]).toBe(file);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const password = (await readFile(file, 'utf8')).trim();
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(run.out).not.toContain(password);
      const { createDb } = await import('../../src/platform/db/client.js');
      const { usersService } = await import('../../src/users/index.js');
      const handle = createDb(database.url, { max: 1 });
      try {
        const user = await usersService({ db: handle.db }).verifyCredentials('ops@example.com', password);
        expect(user).toMatchObject({ id: match![1], role: 'ADMIN', name: 'Ops' });
      } finally {
        await handle.close();
      }
      // A refused creation leaves no password file behind.
      const taken = herald(['users', 'create', '--email', 'ops@example.com', '--role', 'admin'], { DATA_DIR: dataDir });
      expect(taken.code, taken.out).toBe(1);
      expect(await readdir(dataDir)).toEqual(['user-password-ops@example.com']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('users create writes the password file of the longest valid email too (a file name is at most 255 bytes)', async () => {
    // user-password-<email> of a 247-character email was 261 bytes: ENAMETOOLONG, and the
    // command failed before creating a user it had accepted.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'herald-cli-'));
    try {
      const email = `${'a'.repeat(60)}@${['b'.repeat(60), 'c'.repeat(60), 'd'.repeat(60), 'com'].join('.')}`;
      const run = herald(['users', 'create', '--email', email, '--role', 'viewer'], { DATA_DIR: dataDir });
      expect(run.code, run.out).toBe(0);
      const [file] = await readdir(dataDir);
      expect(run.out).toContain(`its password is in ${path.join(dataDir, file!)} `);
      expect(Buffer.byteLength(file!)).toBeLessThanOrEqual(255);
      expect(file).toMatch(/^user-password-a{60}@b+/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('users create refuses a taken email (exit 1), a bad role and a short password (usage, exit 2), each in one line', () => {
    expect(herald(['users', 'create', '--email', 'x@example.com', '--role', 'VIEWER', '--password', 'long-enough']).code).toBe(0);
    const taken = herald(['users', 'create', '--email', 'x@example.com', '--role', 'VIEWER', '--password', 'long-enough']);
    expect(taken).toEqual({ code: 1, out: 'Email already in use: x@example.com\n' });
    const role = herald(['users', 'create', '--email', 'y@example.com', '--role', 'KING']);
    expect(role).toEqual({ code: 2, out: '--role must be one of ADMIN, CREATOR, BRAND, VIEWER\n' });
    const short = herald(['users', 'create', '--email', 'y@example.com', '--role', 'VIEWER', '--password', 'abc']);
    expect(short).toEqual({ code: 2, out: '--password: must be at least 8 characters\n' });
  });

  it('refuses unknown options and option-like values instead of ignoring them', () => {
    // A typo of --queues used to serve every queue.
    expect(herald(['worker', '--queue', 'media-scan'])).toEqual({ code: 2, out: 'herald worker: unknown option --queue (options: --queues, --help)\n' });
    // A password starting with "--" used to be replaced by a generated one.
    expect(herald(['users', 'create', '--email', 'z@example.com', '--role', 'VIEWER', '--password', '--name', 'Zed'])).toEqual({
      code: 2, out: 'herald users create: --password needs a value (to give one that starts with "-", write --password=<value>)\n',
    });
    const explicit = herald(['users', 'create', '--email', 'z@example.com', '--role', 'VIEWER', '--password=--long-enough', '--name', 'Zed']);
    expect(explicit.code, explicit.out).toBe(0);
    expect(explicit.out).not.toContain('with password');
    expect(herald(['worker', '--queues', 'nope'])).toEqual({ code: 2, out: expect.stringMatching(/^Unknown queue\(s\) nope; known: notification-fanout, .*\n$/) });
    expect(herald(['migrate', 'now'])).toEqual({ code: 2, out: 'herald migrate: unexpected argument "now" (options: --help)\n' });
    expect(herald(['users', 'delete'])).toEqual({ code: 2, out: 'herald users: expected "users create", not "users delete"\n' });
  });

  it('prints usage for help and a command\'s --help (exit 0, no configuration needed), and refuses unknown commands in one line', () => {
    for (const args of [['help'], ['--help']]) {
      const run = herald(args);
      expect(run.code).toBe(0);
      expect(run.out).toContain('herald worker [--queues a,b]');
      expect(run.out).toContain('herald <command> --help');
    }
    const help = herald(['users', 'create', '--help'], { DATABASE_URL: 'not a url' });
    expect(help.code, help.out).toBe(0);
    expect(help.out).toMatch(/^usage: herald users create --email E --role /);
    const unknown = herald(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/^Unknown command "frobnicate" \(commands: start, .*\)\n$/);
  });

  it('names a database it cannot reach in one line', async () => {
    const { freePort } = await import('../../src/platform/net.js');
    const port = await freePort();
    const run = herald(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x` });
    expect(run).toEqual({ code: 1, out: `PostgreSQL is not reachable at 127.0.0.1:${port} (ECONNREFUSED): start it or fix DATABASE_URL.\n` });
  });
});

describe('npm run drill', () => {
  const drill = (args: string[]) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'drill/main.ts', ...args], { cwd: root, env: { ...process.env, DRILLS: '' }, encoding: 'utf8', timeout: 60_000 });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };

  it('refuses an unknown drill or flag in one line (exit 2) and has --help', () => {
    expect(drill(['soak', 'nope'])).toEqual({ code: 2, out: expect.stringMatching(/^npm run drill: unknown drill\(s\) nope; known: soak, crash, [a-z, -]+\n$/) });
    expect(drill(['--fast'])).toEqual({ code: 2, out: "npm run drill: Unknown option '--fast'\n" });
    const help = drill(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: npm run drill \[-- <drill>\.\.\.\]/);
  }, 60_000);
});

describe('resolveCommand', () => {
  it('gives every command a --help and a usage naming it', () => {
    for (const name of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
      expect(resolveCommand([...name.split(' '), '--help'])).toEqual({ name, rest: ['--help'] });
      expect(commandUsage(name)).toMatch(new RegExp(`^usage: ${COMMANDS[name].synopsis.replace(/[[\]|.]/g, '\\$&')}\n`));
    }
    expect(resolveCommand([])).toEqual({ name: 'start', rest: [] });
    expect(resolveCommand(['-h'])).toEqual({ name: 'help', rest: ['-h'] });
    expect(resolveCommand(['help', 'users'])).toEqual({ name: 'help', rest: [], topic: 'users create' });
    expect(resolveCommand(['analytics', '--help'])).toEqual({ name: 'help', rest: [], topic: 'analytics backfill' });
  });

  it('refuses unknown commands and subcommands', () => {
    expect(() => resolveCommand(['frobnicate'])).toThrow(UsageError);
    expect(() => resolveCommand(['help', 'frobnicate'])).toThrow(/^Unknown command "frobnicate"/);
    expect(() => resolveCommand(['users'])).toThrow(new UsageError('herald users: expected "users create"'));
    expect(() => resolveCommand(['analytics', 'rebuild'])).toThrow(new UsageError('herald analytics: expected "analytics backfill", not "analytics rebuild"'));
  });
});
