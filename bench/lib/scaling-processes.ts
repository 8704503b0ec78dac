import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '../../src/platform/net.js';
import { log } from './database.js';

/**
 * bench:scaling's herald processes: the compiled build of one commit in a private directory (so
 * builds and edits of the shared checkout cannot change the code mid-run), and each role as an
 * OS process of its own: `node <build>/dist/main.js api|worker [--queues …]`, as production runs it.
 */

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

export interface PrivateBuild {
  readonly dir: string;
  readonly commit: string;
  remove(): Promise<void>;
}

/**
 * `git archive <ref>` of what the build needs, node_modules linked from the checkout, then
 * scripts/build.mjs there: dist/ mirrors src/ and finds migrations/ and web/ beside it.
 */
export async function privateBuild(ref = 'HEAD'): Promise<PrivateBuild> {
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-scaling-'));
  const started = performance.now();
  const { stdout: commit } = await run('git', ['rev-parse', ref], { cwd: root });
  const parts = ['src', 'migrations', 'web', 'packages', 'scripts', 'package.json', 'tsconfig.json'];
  await run('sh', ['-c', `git archive ${commit.trim()} ${parts.join(' ')} | tar -x -C '${dir}'`], { cwd: root });
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  await run(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: dir });
  log(`build of ${commit.trim().slice(0, 8)} in ${dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return { dir, commit: commit.trim(), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `node dist/main.js migrate` of the build against `databaseUrl`. */
export async function migrateWith(build: PrivateBuild, databaseUrl: string): Promise<void> {
  await run(process.execPath, ['dist/main.js', 'migrate'], { cwd: build.dir, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' } });
}

export type Role = 'api' | 'worker';

export class HeraldProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';

  constructor(readonly name: string, readonly role: Role, readonly port: number | null, private readonly args: readonly string[]) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns it and resolves once it logs "herald started" (every role does, src/app.ts). */
  async start(build: PrivateBuild, env: Record<string, string>, logDir: string): Promise<void> {
    await mkdir(logDir, { recursive: true });
    const file = createWriteStream(path.join(logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['dist/main.js', this.role, ...this.args], {
      cwd: build.dir, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, LOG_LEVEL: 'info', ...(this.port ? { PORT: String(this.port) } : {}) },
    });
    this.child = child;
    let ready = false;
    const keep = (chunk: Buffer) => {
      file.write(chunk);
      const text = chunk.toString();
      if (text.includes('herald started')) ready = true;
      this.tail = (this.tail + text).slice(-8_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => {
      file.end();
      resolve();
    }));
    const ok = await waitFor(async () => ready || child.exitCode !== null, 60_000, 25);
    if (!ok || !ready) throw new Error(`${this.name} did not start:\n${this.tail.slice(-3_000)}`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.alive) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The herald processes of one measurement, started and stopped together. */
export class ProcessSet {
  readonly apis: HeraldProcess[] = [];
  readonly workers: HeraldProcess[] = [];

  constructor(private readonly build: PrivateBuild, private readonly env: Record<string, string>, private readonly logDir: string) {}

  /** API processes: the first alone (it creates the admin), the rest together. */
  async startApis(count: number): Promise<void> {
    for (let k = 0; k < count; k++) this.apis.push(new HeraldProcess(`api-${k + 1}`, 'api', await freePort(), []));
    await this.apis[0]!.start(this.build, this.env, this.logDir);
    await Promise.all(this.apis.slice(1).map((p) => p.start(this.build, this.env, this.logDir)));
  }

  async startWorkers(count: number, queues?: readonly string[]): Promise<void> {
    const added = Array.from({ length: count }, (_, k) =>
      new HeraldProcess(`worker-${this.workers.length + k + 1}`, 'worker', null, queues ? ['--queues', queues.join(',')] : []));
    this.workers.push(...added);
    await Promise.all(added.map((p) => p.start(this.build, this.env, this.logDir)));
  }

  all(): HeraldProcess[] {
    return [...this.apis, ...this.workers];
  }

  /** Names of processes that died during the measurement. */
  dead(): string[] {
    return this.all().filter((p) => !p.alive).map((p) => p.name);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((p) => p.stop()));
  }
}
