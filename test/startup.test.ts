import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../src/platform/net.js';
import { deleteRedisPrefix } from './helpers/context.js';
import { REDIS_URL } from './helpers/env.js';
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
 * Signals the service process itself (as a supervisor does; npm does not forward signals) and
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
  it('boots on the embedded PostgreSQL, prints the URL and a one-time admin password, and stops cleanly', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'herald-start-'));
    const port = await freePort();
    const first = npmStart({ DATA_DIR: dataDir, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    expect(await waitFor(async () => first.output().includes(`herald is listening on ${url}`), 90_000, 200), first.output()).toBe(true);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ success: true, data: { status: 'ok', postgres: 'up', redis: 'up' } });
    const match = /Admin account created: (\S+) \/ (\S+)/.exec(first.output());
    expect(match, first.output()).not.toBeNull();
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match![1], password: match![2] }) });
    expect(login.status).toBe(200);
    await stopService(first.output, 'SIGTERM', dataDir);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    await exited(first.child);

    // Second start: same data, no new admin, the password printed before still works.
    const second = npmStart({ DATA_DIR: dataDir, PORT: String(port) });
    expect(await waitFor(async () => second.output().includes('herald is listening on'), 60_000, 200), second.output()).toBe(true);
    expect(second.output()).not.toContain('Admin account created');
    const again = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match![1], password: match![2] }) });
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
    expect(await exited(run.child)).toBe(1);
    expect(run.output()).toContain('Unknown queue(s) nope');
  }, 60_000);
});
