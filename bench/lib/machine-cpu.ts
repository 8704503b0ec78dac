import { readFile, readdir } from 'node:fs/promises';

/**
 * Where a phase's CPU went on this machine (Linux /proc), to split a throughput figure into its
 * parts: the API processes, PostgreSQL (every server process, and through the postmaster's
 * children's times those that exited within the phase, as COPY's backends do), this process (the
 * load generator), and the rest of the machine; idle is what no one used. On 2 cores the parts
 * compete, so a ratio of throughputs is a ratio of CPU a row, and this says whose.
 */

const TICKS_PER_SEC = 100; // USER_HZ on Linux

export interface MachineCpu {
  readonly busy: number;
  readonly idle: number;
  readonly api: number;
  readonly postgres: number;
  readonly self: number;
}

async function stat(pid: string | number): Promise<number[] | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!text) return null;
  return text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
}

/** utime + stime (+ cutime + cstime: the children reaped, for the postmaster) in ticks. */
const own = (fields: number[]) => fields[11]! + fields[12]!;
const reaped = (fields: number[]) => fields[13]! + fields[14]!;

export async function machineCpu(apiPids: readonly number[]): Promise<MachineCpu> {
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const idle = cpu[3]! + cpu[4]!;
  const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  let api = 0;
  for (const pid of apiPids) {
    const fields = await stat(pid);
    if (fields) api += own(fields);
  }
  let postgres = 0;
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('postgres:')) {
      const fields = await stat(pid);
      if (fields) postgres += own(fields);
    } else if (/(^|\/)postgres\0/.test(cmdline)) {
      const fields = await stat(pid);
      if (fields) postgres += own(fields) + reaped(fields);
    }
  }
  const self = own((await stat('self'))!);
  return { busy, idle, api, postgres, self };
}

/** Milliseconds of CPU a unit (a request's rows, say) between two snapshots, by part. */
export function cpuPerUnit(a: MachineCpu, b: MachineCpu, units: number) {
  const ms = (t: number) => Number(((t / TICKS_PER_SEC) * 1000 / Math.max(1, units)).toFixed(3));
  const api = b.api - a.api;
  const postgres = b.postgres - a.postgres;
  const client = b.self - a.self;
  const busy = b.busy - a.busy;
  return { apiMs: ms(api), postgresMs: ms(postgres), clientMs: ms(client), otherMs: ms(Math.max(0, busy - api - postgres - client)), idleMs: ms(b.idle - a.idle) };
}
