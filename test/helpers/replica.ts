import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { waitFor } from '../../src/platform/net.js';
import { openResources } from './resources.js';

const exec = promisify(execFile);
/** Every cluster of these tests lives here, never next to the machine's own server (5432). */
const ROOT = '/tmp/replica';

/** Debian's newest installed server binaries (the package that runs the main server has them all). */
function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_basebackup'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${base} (apt-get install postgresql)`);
  return path.join(base, newest, 'bin');
}

export interface ReplicaPair {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** One statement on a fresh connection to either server. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(on: 'primary' | 'replica', text: string, values?: unknown[]): Promise<R[]>;
  /**
   * Until the replica has replayed everything the primary has written so far, a commit of this
   * call's included: a replica that has replayed no commit since it started cannot tell its lag.
   */
  caughtUp(): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** Stops both servers and removes their folders. */
  stop(): Promise<void>;
}

/**
 * A private primary (initdb) and a streaming replica of it (pg_basebackup -R: standby.signal and
 * primary_conninfo), on their own ports and folders under /tmp/replica, run as the `postgres` OS
 * user (initdb and postgres refuse root). Resolves once the replica streams.
 */
export async function startReplicaPair(ports = { primary: 5433, replica: 5434 }): Promise<ReplicaPair> {
  const bin = binDir();
  const root = userInfo().uid === 0;
  const run = (tool: string, args: string[]) => exec(root ? 'runuser' : path.join(bin, tool), root ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, { cwd: ROOT, timeout: 60_000 });
  await mkdir(ROOT, { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(ROOT, 'pair-'));
  if (root) {
    const { stdout } = await exec('id', ['-u', 'postgres']);
    const { stdout: gid } = await exec('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout), Number(gid));
  }
  const data = { primary: path.join(dir, 'primary'), replica: path.join(dir, 'replica') };
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const serverOptions = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=60`;
  const start = async (which: 'primary' | 'replica') => {
    await run('pg_ctl', ['start', '-w', '-t', '60', '-D', data[which], '-l', path.join(dir, `${which}.log`), '-o', serverOptions(ports[which])]);
  };
  const stopServer = (which: 'primary' | 'replica') =>
    run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data[which]]).catch(() => undefined);
  const label = `replica pair ${dir}`;
  openResources.add(label);

  const query: ReplicaPair['query'] = async (on, text, values) => {
    const client = new pg.Client({ connectionString: url(ports[on]) });
    await client.connect();
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  const stop = async () => {
    await stopServer('replica');
    await stopServer('primary');
    await rm(dir, { recursive: true, force: true });
    openResources.delete(label);
  };

  try {
    await run('initdb', ['-D', data.primary, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await start('primary');
    // -R writes standby.signal and primary_conninfo; -X stream keeps the WAL of the copy itself.
    await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(ports.primary), '-U', 'postgres', '-D', data.replica, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    await start('replica');
    const streaming = await waitFor(async () => {
      const rows = await query<{ n: number }>('primary', "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
      return rows[0]?.n === 1;
    }, 30_000, 50);
    if (!streaming) throw new Error(`the replica on ${ports.replica} does not stream from ${ports.primary} (logs in ${dir})`);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    primaryUrl: url(ports.primary),
    replicaUrl: url(ports.replica),
    query,
    async caughtUp() {
      await query('primary', 'SELECT txid_current()');
      const [{ lsn }] = await query<{ lsn: string }>('primary', 'SELECT pg_current_wal_lsn()::text AS lsn') as [{ lsn: string }];
      const done = await waitFor(async () => {
        const rows = await query<{ done: boolean }>('replica', 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
        return rows[0]?.done === true;
      }, 30_000, 50);
      if (!done) throw new Error(`the replica did not replay up to ${lsn}`);
    },
    pauseReplay: async () => void await query('replica', 'SELECT pg_wal_replay_pause()'),
    resumeReplay: async () => void await query('replica', 'SELECT pg_wal_replay_resume()'),
    stopReplica: async () => { await run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data.replica]); },
    startReplica: () => start('replica'),
    stop,
  };
}
