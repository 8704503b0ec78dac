import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../src/platform/net.js';
import { createTestDatabase, deleteRedisPrefix } from './helpers/context.js';
import { REDIS_URL } from './helpers/env.js';
import { spawnNode } from './helpers/processes.js';
import { openResources } from './helpers/resources.js';

/**
 * SIGTERM and SIGINT reach the service whatever starts it (issue 20): `npm start` and
 * `./bin/herald.js` used to exit 143 at once and leave the service running and serving (npm
 * signalled `sh -c`, which died; bin/herald.js died above its child). Each way is started as a
 * child process, only its top process is signalled (never the group), and the whole tree must go:
 * the service drains, stops serving, and the top process exits with the service's code, 0.
 */
const root = path.resolve(import.meta.dirname, '..');
const prefix = `tsig${process.pid}`;
const SHUTDOWN_TIMEOUT_MS = 5_000;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let holder: pg.Client;
let scratch = '';
const started: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // Held open so that another run's clean-up of idle test databases leaves this one alone.
  holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  scratch = await mkdtemp(path.join(tmpdir(), 'herald-signals-'));
  // npm start builds dist/ itself; the bin/herald.js trees below copy it.
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});

afterAll(async () => {
  // A failed test may leave processes of its tree running, even once the top one has exited:
  // each tree is a process group of its own (detached), which goes here.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
  await holder?.end();
  await database?.drop();
  await deleteRedisPrefix(prefix);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** pid and all its descendants, read from /proc. */
async function processTree(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const commandOf = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();

/** A command as a supervisor starts it: its own process group (so a failed test can clean up the tree), output kept. */
function start(command: string, args: string[], cwd: string, port: number) {
  const env = {
    ...process.env, DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1',
    DATA_DIR: path.join(scratch, 'data'), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  };
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const label = `process ${child.pid} (${command} ${args.join(' ')})`;
  openResources.add(label);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    openResources.delete(label);
    resolve(code);
  }));
  return { child, exited, output: () => out };
}

/**
 * Starts the command, waits until it serves, signals its top process only, and checks that every
 * process of its tree is gone and the top one exited 0 in time. Returns the tree's commands.
 */
async function signalTopProcess(command: string, args: string[], cwd: string, signal: NodeJS.Signals): Promise<string[]> {
  const port = await freePort();
  const run = start(command, args, cwd, port);
  const url = `http://127.0.0.1:${port}`;
  expect(await waitFor(async () => run.output().includes(`herald is listening on ${url}`) || run.child.exitCode !== null, 60_000, 100), run.output()).toBe(true);
  // Serving: the first answer may come while the other roles still start (a check has 1.5 s).
  expect(await waitFor(async () => (await fetch(`${url}/api/health`)).status === 200, 20_000, 200)).toBe(true);
  const tree = await processTree(run.child.pid!);
  const commands = await Promise.all(tree.map(commandOf));
  const service = Number(/"pid":(\d+)[^\n]*"msg":"herald started"/.exec(run.output())?.[1]);
  expect(tree, `the service (${service}) runs in the started tree: ${commands.join(' | ')}`).toContain(service);

  const sent = Date.now();
  process.kill(run.child.pid!, signal);
  expect(await run.exited, run.output()).toBe(0);
  expect(Date.now() - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);
  expect(await waitFor(async () => tree.every((pid) => !alive(pid)), 5_000, 50), `still running: ${commands.filter((_, i) => alive(tree[i]!)).join(' | ')}`).toBe(true);
  expect(run.output()).toContain(`"signal":"${signal}","msg":"shutting down"`);
  expect(run.output()).toContain('"msg":"herald stopped"');
  await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  return commands;
}

/** A checkout whose bin/herald.js is a copy (it finds its root from its own path) and the rest links back here. */
async function binCheckout(withDist: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, withDist ? 'built-' : 'source-'));
  await cp(path.join(root, 'bin'), path.join(dir, 'bin'), { recursive: true });
  for (const entry of ['src', 'migrations', 'web', 'packages', 'package.json', 'tsconfig.json', 'node_modules']) {
    await symlink(path.join(root, entry), path.join(dir, entry));
  }
  // Copied now, so newer than every source file: bin/herald.js runs it.
  if (withDist) await cp(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (file) => !file.endsWith('.tmp') }); // another build's files in flight
  return dir;
}

describe('a signal to the top process stops the whole service', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('npm start, %s to npm', async (signal) => {
    const commands = await signalTopProcess('npm', ['start'], root, signal);
    // npm, then the service itself: `exec` leaves no shell between them.
    expect(commands).toHaveLength(2);
    expect(commands[1]).toBe(`node --enable-source-maps dist/main.js`);
  }, 90_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('./bin/herald.js with a current build runs dist/ in its own process; %s', async (signal) => {
    const dir = await binCheckout(true);
    const commands = await signalTopProcess(path.join(dir, 'bin/herald.js'), ['all'], dir, signal);
    expect(commands).toEqual([`node ${path.join(dir, 'bin/herald.js')} all`]);
  }, 60_000);

  it('./bin/herald.js without a build runs src/ through tsx in its own process (only its esbuild service below it); SIGTERM', async () => {
    const dir = await binCheckout(false);
    const commands = await signalTopProcess(path.join(dir, 'bin/herald.js'), ['all'], dir, 'SIGTERM');
    expect(commands[0]).toBe(`node ${path.join(dir, 'bin/herald.js')} all`);
    expect(commands.slice(1).every((c) => /esbuild/.test(c)), commands.join(' | ')).toBe(true);
  }, 60_000);

  it('stops even when the reader of its log has gone (a closed stdout pipe)', async () => {
    const port = await freePort();
    const run = spawnNode(['dist/main.js', 'api'], {
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info',
    });
    started.push(run.child);
    expect(await waitFor(async () => run.output().includes('"msg":"herald started"') || run.child.exitCode !== null, 30_000, 50), run.output()).toBe(true);
    run.child.stdout!.destroy();
    run.child.kill('SIGTERM');
    // pino's exit-time flush retried the write to the closed pipe forever: the process never exited.
    expect(await Promise.race([run.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))])).toBe(0);
  }, 60_000);
});
