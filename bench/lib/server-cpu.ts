import { readFile, readdir } from 'node:fs/promises';

/**
 * CPU spent serving a load, for an in-process benchmark on Linux: this process's main thread
 * (where Fastify and the pg client run; the load generator has its own worker thread, and V8's
 * helper threads are left out too) and the PostgreSQL backends of one database. Per request, it
 * compares two endpoints even on a machine other work shares, which throughput alone does not:
 * req/s falls with every other process's burst, the CPU one request costs hardly moves.
 */

const TICKS_PER_SEC = 100; // USER_HZ on Linux

async function ticks(statPath: string): Promise<number> {
  const stat = await readFile(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export interface ServerCpu {
  readonly node: number;
  readonly backends: ReadonlyMap<string, number>;
}

export async function serverCpu(database: string): Promise<ServerCpu> {
  const node = await ticks(`/proc/self/task/${process.pid}/stat`);
  const backends = new Map<string, number>();
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('postgres:') && cmdline.includes(` ${database} `)) backends.set(pid, await ticks(`/proc/${pid}/stat`).catch(() => 0));
  }
  return { node, backends };
}

/**
 * Milliseconds of CPU per request between two snapshots. A backend that exited in between is
 * missed (pool connections stay open under load, so little is).
 */
export function cpuPerRequest(a: ServerCpu, b: ServerCpu, requests: number): { nodeMs: number; postgresMs: number; totalMs: number } {
  let pg = 0;
  for (const [pid, t] of b.backends) pg += t - (a.backends.get(pid) ?? 0);
  const ms = (t: number) => (t / TICKS_PER_SEC) * 1000 / Math.max(1, requests);
  const round = (x: number) => Number(x.toFixed(4));
  return { nodeMs: round(ms(b.node - a.node)), postgresMs: round(ms(pg)), totalMs: round(ms(b.node - a.node + pg)) };
}
