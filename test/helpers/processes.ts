import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openResources } from './resources.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * A herald role as its own OS process (node with the tsx loader, no wrapper process, so a signal
 * reaches the service itself). Output is kept for assertions and failure messages.
 */
export function spawnHerald(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const label = `process ${child.pid} (${args.join(' ')})`;
  openResources.add(label);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    openResources.delete(label);
    resolve(code);
  }));
  return { child, output: () => out, exited };
}
