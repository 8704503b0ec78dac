import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../src/platform/net.js';
import { createTestDatabase, deleteRedisPrefix } from './helpers/context.js';
import { REDIS_URL } from './helpers/env.js';
import { privateCheckout, spawnHerald } from './helpers/processes.js';
import { openResources } from './helpers/resources.js';

const root = path.resolve(import.meta.dirname, '..');
const prefix = `tstart${process.pid}`;
let dataDir = '';

/** `npm start` as a user runs it: no DATABASE_URL, so the embedded PostgreSQL under DATA_DIR. */
function npmStart(env: Record<string, string>, args: string[] = []) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|ADMIN_|SESSION_SECRET|PORT|QUEUE_PREFIX|DATA_DIR|RATE_LIMIT)/.test(k)));
  const child = spawn('npm', ['start', '--silent', ...(args.length ? ['--', ...args] : [])], {
    cwd: root, env: { ...clean, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  openResources.add(`process ${child.pid}`);
  child.on('exit', () => openResources.delete(`process ${child.pid}`));
  return { child, output: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Signals the service process itself (as a supervisor does; test/signals.test.ts signals npm) and
 * checks it drains and exits, taking its embedded PostgreSQL with it.
 */
async function stopService(output: () => string, signal: NodeJS.Signals, dir: string) {
  const pid = Number(/"pid":(\d+)[^\n]*"msg":"herald started"/.exec(output())?.[1]);
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, signal);
  expect(await waitFor(async () => !alive(pid), 30_000, 100)).toBe(true);
  expect(output()).toContain('"msg":"herald stopped"');
  expect(output()).not.toMatch(/"level":50/);
  const postgresLeft = spawnSync('pgrep', ['-f', `postgres -D ${path.join(dir, 'postgres')}`]).stdout.toString().trim();
  expect(postgresLeft).toBe('');
}

afterAll(async () => {
  await deleteRedisPrefix(prefix);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('boots on the embedded PostgreSQL, prints the URL and where the one-time admin password is (not the password), and stops cleanly', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'herald-start-'));
    const port = await freePort();
    const first = npmStart({ DATA_DIR: dataDir, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    expect(await waitFor(async () => first.output().includes(`herald is listening on ${url}`), 90_000, 200), first.output()).toBe(true);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ success: true, data: { status: 'ok', postgres: 'up', redis: 'up' } });
    const match = /Admin account created: (\S+), its password is in (\S+) /.exec(first.output());
    expect(match, first.output()).not.toBeNull();
    expect(match![2]).toBe(path.join(dataDir, 'initial-admin-password'));
    const password = (await readFile(match![2]!, 'utf8')).trim();
    expect(first.output()).not.toContain(password); // stdout is the log
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match![1], password }) });
    expect(login.status).toBe(200);
    await stopService(first.output, 'SIGTERM', dataDir);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    await exited(first.child);

    // Second start: same data, no new admin, the password written before still works.
    const second = npmStart({ DATA_DIR: dataDir, PORT: String(port) });
    expect(await waitFor(async () => second.output().includes('herald is listening on'), 60_000, 200), second.output()).toBe(true);
    expect(second.output()).not.toContain('Admin account created');
    const again = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match![1], password }) });
    expect(again.status).toBe(200);
    await stopService(second.output, 'SIGINT', dataDir);
    await exited(second.child);
  }, 180_000);

  it('stops with one clear line naming a bad variable', async () => {
    const run = npmStart({ PORT: 'eighty', RATE_LIMITS: 'maybe' });
    expect(await exited(run.child)).toBe(1);
    const lines = run.output().trim().split('\n');
    expect(lines).toContain('Invalid configuration: PORT Invalid input: expected number, received NaN');
    expect(lines.some((l) => l.startsWith('Invalid configuration: RATE_LIMITS'))).toBe(true);
    expect(run.output()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('rejects an unknown role or queue', async () => {
    const run = npmStart({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' }, ['worker', '--queues', 'nope']);
    expect(await exited(run.child)).toBe(2);
    expect(run.output()).toContain('Unknown queue(s) nope');
  }, 60_000);

  it('names every bad URL variable at once, one line each, without a trace', async () => {
    const run = spawnHerald([], {
      DATABASE_URL: 'notaurl', REDIS_URL: 'not-a-url', SMTP_URL: 'mail.example.com', PUBLIC_URL: 'example.com', PORT: 'eighty',
    });
    expect(await run.exited).toBe(1);
    expect(run.output().trim().split('\n')).toEqual([
      'Invalid configuration: PORT Invalid input: expected number, received NaN',
      'Invalid configuration: DATABASE_URL must be a URL starting with postgres:// or postgresql://',
      'Invalid configuration: REDIS_URL must be a URL starting with redis:// or rediss://',
      'Invalid configuration: SMTP_URL must be a URL starting with smtp:// or smtps://',
      'Invalid configuration: PUBLIC_URL must be a URL starting with http:// or https://',
    ]);
  }, 60_000);

  it('names a port in use in one line (PORT, METRICS_PORT)', async () => {
    const database = await createTestDatabase();
    // Held open so that another run's clean-up of idle test databases leaves this one alone.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const run = spawnHerald(['api'], { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1' });
      expect(await run.exited, run.output()).toBe(1);
      const lines = run.output().trim().split('\n');
      expect(lines.at(-1)).toBe(`Cannot listen on 127.0.0.1:${port}: the port is already in use (stop the other process or set PORT).`);
      expect(run.output()).not.toMatch(/EADDRINUSE|\n\s+at /);
      // The metrics listener of a process without the API: it used to be an unhandled 'error' event.
      const scheduler = spawnHerald(['scheduler'], { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, METRICS_PORT: String(port), HOST: '127.0.0.1' });
      expect(await scheduler.exited, scheduler.output()).toBe(1);
      expect(scheduler.output().trim()).toBe(`Cannot listen on 127.0.0.1:${port}: the port is already in use (stop the other process or set METRICS_PORT).`);
    } finally {
      blocker.close();
      await holder.end();
      await database.drop();
    }
  }, 90_000);

  it('starts as root from a checkout the postgres user cannot reach (a mode-700 folder) and stops cleanly', async () => {
    const { checkout, remove } = await privateCheckout();
    const port = await freePort();
    let clusterDir: string | undefined;
    try {
      // No DATABASE_URL and the default DATA_DIR (./data inside the private checkout), as `npm start` after `git clone`.
      const run = spawnHerald([], { DATABASE_URL: '', DATA_DIR: '', REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'info', ADMIN_PASSWORD: '', ADMIN_EMAIL: '', SESSION_SECRET: '' }, checkout);
      const url = `http://127.0.0.1:${port}`;
      expect(await waitFor(async () => run.output().includes(`herald is listening on ${url}`) || run.child.exitCode !== null, 150_000, 200), run.output()).toBe(true);
      expect(run.child.exitCode, run.output()).toBeNull();
      const health = await fetch(`${url}/api/health`);
      expect(await health.json()).toEqual({ success: true, data: { status: 'ok', postgres: 'up', redis: 'up' } });
      clusterDir = /"dir":"([^"]+)","msg":"embedded PostgreSQL started"/.exec(run.output())?.[1];
      if (process.getuid?.() === 0) {
        // The log says where the cluster and the binaries went instead.
        expect(run.output()).toMatch(/embedded PostgreSQL keeps its cluster in \/var\/lib\/herald\/[0-9a-f]{16}\/postgres/);
        expect(run.output()).toMatch(/embedded PostgreSQL runs its binaries from \/var\/lib\/herald\/postgresql-/);
        expect(clusterDir).toMatch(/^\/var\/lib\/herald\//);
      } else {
        expect(clusterDir).toBe(path.join(checkout, 'data', 'postgres'));
      }
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('"msg":"herald stopped"');
      expect(run.output()).not.toMatch(/"level":50|\n\s+at /);
      expect(spawnSync('pgrep', ['-f', `postgres -D ${clusterDir}`]).stdout.toString().trim()).toBe('');
    } finally {
      await remove();
      if (clusterDir?.startsWith('/var/lib/herald/')) await rm(path.dirname(clusterDir), { recursive: true, force: true });
    }
  }, 240_000);
});
