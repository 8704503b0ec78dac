import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../../src/platform/net.js';
import { ADMIN_URL } from './env.js';
import { openResources } from './resources.js';

/** Ports this helper may use (one pgbouncer each); another suite's instance may hold some. */
const PORTS = [6432, 6433, 6434, 6435, 6436, 6437, 6438, 6439];
const ROOT = '/tmp/pgbouncer';
const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p)) ?? 'pgbouncer';

export interface PgBouncer {
  readonly port: number;
  /** `database` on the test server, through this pgbouncer (the same user, no password). */
  url(database: string): string;
  /** Its log so far (stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A private pgbouncer in transaction mode in front of the tests' PostgreSQL: any database (the
 * per-file clones included) through one wildcard entry, trust authentication, and a small pool
 * per database so that clients share server connections, as in production.
 */
export async function startPgBouncer(options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const server = new URL(ADMIN_URL);
  await mkdir(ROOT, { recursive: true });
  const dir = await mkdtemp(path.join(ROOT, 'run-'));
  try {
    for (const port of PORTS) {
      const started = await tryStart(dir, port, server, options.poolSize ?? 5);
      if (started) return started;
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`no free port for pgbouncer in ${PORTS[0]}-${PORTS.at(-1)}`);
}

async function tryStart(dir: string, port: number, server: URL, poolSize: number): Promise<PgBouncer | null> {
  const user = decodeURIComponent(server.username || 'postgres');
  const ini = path.join(dir, `pgbouncer-${port}.ini`);
  await writeFile(path.join(dir, 'users.txt'), `"${user}" ""\n`);
  await writeFile(ini, [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'users.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 2000',
    `default_pool_size = ${poolSize}`,
    // A client waiting this long for a server connection gets an error, not a hung test.
    'query_wait_timeout = 20',
    'log_connections = 0',
    'log_disconnections = 0',
    // pgbouncer refuses to run as root.
    ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
    '',
  ].join('\n'));
  let child;
  try {
    child = spawn(BINARY, [ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot start pgbouncer (apt-get install pgbouncer): ${(err as Error).message}`, { cause: err });
  }
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.once('error', (err) => {
      log += `\n${err.message} (apt-get install pgbouncer)`;
      resolve(null);
    });
  });
  let gone = false;
  void exited.then(() => { gone = true; });
  const url = (database: string) => {
    const u = new URL(server);
    u.host = `127.0.0.1:${port}`;
    u.pathname = `/${database}`;
    return u.toString();
  };
  // Its own log line, not a connection: one to the port could reach another suite's pgbouncer.
  const ready = await waitFor(async () => gone || log.includes(`listening on 127.0.0.1:${port}`), 10_000, 20);
  if (gone || !ready) {
    child.kill('SIGKILL');
    await exited;
    if (/in use/i.test(log)) return null;
    throw new Error(`pgbouncer did not start on port ${port}:\n${log}`);
  }
  const label = `pgbouncer :${port}`;
  openResources.add(label);
  return {
    port, url, output: () => log,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
      openResources.delete(label);
    },
  };
}
