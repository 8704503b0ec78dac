import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CountingSink } from './counting-sink.js';
import { REDIS_URL, deleteRedisPrefix, log, type ScratchDatabase } from './database.js';
import { snapshot, saturation, usage, type Usage } from './resource-usage.js';
import { ProcessSet, type PrivateBuild } from './scaling-processes.js';
import { cloneDatabase } from './scaling-seed.js';

/** What every bench:scaling measurement shares: a fresh database copy, a Redis prefix, a sink, processes, probes. */

export const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' } as const;
export const SESSION_SECRET = 'bench-scaling-session-secret-0123456789abcdef';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const secondsSince = (start: number) => (performance.now() - start) / 1000;
export const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));

export interface Measurement {
  readonly db: ScratchDatabase;
  readonly pool: pg.Pool;
  readonly sink: CountingSink;
  readonly procs: ProcessSet;
  /** Usage from now until the returned function is called, and the saturation verdict. */
  probe(): Promise<() => Promise<{ usage: Usage; saturated: { resource: string; detail: string } }>>;
}

export interface Context {
  readonly build: PrivateBuild;
  readonly logDir: string;
  /** fdatasyncs/s of one 8 KiB write each on this disk, measured at the start of the run. */
  readonly fsyncPerSec: number | null;
  /** The PostgreSQL server's postmaster pid: its children are the server's processes. */
  readonly postmaster: number;
}

/** Runs `fn` on a copy of `template` with its own prefix, sink and processes; removes all of them after. */
export async function measurement<T>(ctx: Context, kind: string, template: ScratchDatabase, fn: (m: Measurement) => Promise<T>): Promise<T> {
  const db = await cloneDatabase(template, kind);
  const prefix = `hsc${randomBytes(4).toString('hex')}`;
  const sink = await new CountingSink().start();
  const pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'herald-bench-scaling' });
  const procs = new ProcessSet(ctx.build, {
    DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: sink.url, HOST: '127.0.0.1',
    DATA_DIR: path.join(ctx.logDir, 'data'), ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, SESSION_SECRET,
    RATE_LIMITS: 'off', LOGIN_RATE_LIMIT: '1000000', SHUTDOWN_TIMEOUT_MS: '5000',
  }, path.join(ctx.logDir, db.name));
  const probe = async () => {
    const watched = () => ({
      herald: { api: procs.apis.map((p) => p.pid), worker: procs.workers.map((p) => p.pid) }, database: db.name, pool,
      postmaster: ctx.postmaster, redisPort: Number(new URL(REDIS_URL).port || 6379),
    });
    const a = await snapshot(watched());
    return async () => {
      const u = usage(a, await snapshot(watched()));
      return { usage: u, saturated: saturation(u, ctx.fsyncPerSec) };
    };
  };
  try {
    const result = await fn({ db, pool, sink, procs, probe });
    const dead = procs.dead();
    if (dead.length) throw new Error(`${kind}: processes exited during the measurement: ${dead.join(', ')}`);
    return result;
  } finally {
    await procs.stop().catch((err: Error) => log(`stop: ${err.message}`));
    await pool.end().catch(() => undefined);
    await sink.stop();
    await db.drop().catch((err: Error) => log(`drop ${db.name}: ${err.message}`));
    await deleteRedisPrefix(REDIS_URL, prefix).catch((err: Error) => log(`redis prefix ${prefix}: ${err.message}`));
  }
}

/** JSON over fetch; throws on a status other than `expect`. */
export async function call<T = unknown>(url: string, init: { method?: string; token?: string; body?: unknown; expect?: number } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (res.status !== (init.expect ?? 200)) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return (text ? (JSON.parse(text) as { data: T }).data : undefined) as T;
}

export async function adminToken(apiUrl: string): Promise<string> {
  return (await call<{ token: string }>(`${apiUrl}/api/auth/login`, { method: 'POST', body: ADMIN })).token;
}

/**
 * The disk's fsync ceiling: 8 KiB written and fdatasync'd in a loop for `ms` (what one WAL flush
 * costs; PostgreSQL groups concurrent commits into one flush, so commits/s can be higher).
 */
export function fsyncRate(ms = 2_000): number {
  const file = path.join(tmpdir(), `herald-scaling-fsync-${process.pid}`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(8192, 1);
  let n = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < ms) {
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      n++;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

/**
 * CPU milliseconds per unit of work by where it runs: the herald processes (node), PostgreSQL
 * (this database's backends and the server's own processes) and Redis (shared with anything else
 * using it). The capacity model divides required rates by these.
 */
export function cpuMsPer(u: Usage, units: number) {
  const p = u.percentOfOneCore as Record<string, number>;
  const ms = (percent: number) => fixed(((percent / 100) * u.seconds * 1000) / Math.max(1, units), 3);
  const herald = (p['herald-api'] ?? 0) + (p['herald-worker'] ?? 0);
  const postgres = (p['postgres-backends'] ?? 0) + (p['postgres-server'] ?? 0);
  return { herald: ms(herald), postgres: ms(postgres), redis: ms(p.redis ?? 0), service: ms(herald + postgres + (p.redis ?? 0)) };
}

/** Resolves once `check` is true (polled every 20 ms), or throws after `timeoutMs`. */
export async function until(label: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${label}: not done within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/**
 * Rows and on-disk bytes (heap, TOAST and every index) of `tables`, after a VACUUM so dead rows of
 * updates do not count: the per-row figures the capacity model multiplies by daily volumes.
 */
export async function storageOf(pool: pg.Pool, tables: readonly string[]) {
  const out: Record<string, { rows: number; bytes: number; bytesPerRow: number }> = {};
  for (const table of tables) {
    await pool.query(`VACUUM ${table}`);
    const { rows: [r] } = await pool.query<{ rows: number; bytes: string }>(`SELECT count(*)::int AS rows, pg_total_relation_size('${table}') AS bytes FROM ${table}`);
    out[table] = { rows: r!.rows, bytes: Number(r!.bytes), bytesPerRow: r!.rows ? Math.round(Number(r!.bytes) / r!.rows) : 0 };
  }
  return out;
}
