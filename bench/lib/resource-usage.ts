import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import type pg from 'pg';

/**
 * Where the machine's time goes during one measurement of bench:scaling, from /proc (Linux):
 * CPU of each process group (herald API and worker processes, with the busiest event-loop thread;
 * this database's PostgreSQL backends; PostgreSQL's own background processes; other databases'
 * backends; redis-server; this benchmark process, which holds the SMTP sink and the HTTP load),
 * the rest of the machine, iowait, disk writes and PostgreSQL's WAL syncs (fsync).
 */

const TICKS_PER_SEC = 100; // USER_HZ on Linux

async function ticksOf(statPath: string): Promise<number> {
  const stat = await readFile(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

const ticks = (statPath: string) => ticksOf(statPath).catch(() => 0);

export interface Watched {
  /** Herald processes by group ("api", "worker"). */
  readonly herald: Readonly<Record<string, readonly number[]>>;
  /** The database whose backends are this measurement's. */
  readonly database: string;
  readonly pool: pg.Pool;
  /** The PostgreSQL server's postmaster (postmasterOf) and the Redis port this run uses. */
  readonly postmaster: number;
  readonly redisPort: number | null;
}

export interface Snapshot {
  readonly at: number;
  readonly machine: { busy: number; iowait: number; total: number };
  readonly herald: Map<number, { group: string; total: number; main: number }>;
  readonly postgres: Map<number, { kind: 'ours' | 'server' | 'other'; ticks: number }>;
  readonly redis: Map<number, number>;
  readonly bench: { total: number; main: number };
  readonly disk: { writes: number; sectors: number };
  readonly wal: { records: number; bytes: number; syncs: number } | null;
}

async function machine() {
  const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return { busy: user + nice + system + irq + softirq + steal, iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Writes completed and sectors written on whole disks (vd*, sd*, nvme*n*), not partitions. */
async function disk() {
  let writes = 0;
  let sectors = 0;
  for (const line of (await readFile('/proc/diskstats', 'utf8')).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^(vd[a-z]|sd[a-z]|xvd[a-z]|nvme\d+n\d+)$/.test(f[2]!)) continue;
    writes += Number(f[7]);
    sectors += Number(f[9]);
  }
  return { writes, sectors };
}

async function wal(pool: pg.Pool) {
  try {
    const { rows } = await pool.query<{ records: string; bytes: string; syncs: string }>(
      'SELECT wal_records AS records, wal_bytes AS bytes, wal_sync AS syncs FROM pg_stat_wal');
    const r = rows[0]!;
    return { records: Number(r.records), bytes: Number(r.bytes), syncs: Number(r.syncs) };
  } catch {
    return null;
  }
}

async function statOf(pid: string): Promise<{ ppid: number; ticks: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** The postmaster of the server `pool` talks to: the parent of its backend. */
export async function postmasterOf(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return (await statOf(String(rows[0]!.pid)))?.ppid ?? 0;
}

const BACKGROUND = /^postgres: (\S+: )?(checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector|walsender|startup|walreceiver)/;

export async function snapshot(watched: Watched): Promise<Snapshot> {
  const herald = new Map<number, { group: string; total: number; main: number }>();
  for (const [group, pids] of Object.entries(watched.herald)) {
    for (const pid of pids) herald.set(pid, { group, total: await ticks(`/proc/${pid}/stat`), main: await ticks(`/proc/${pid}/task/${pid}/stat`) });
  }
  // Only the processes of the PostgreSQL server and the redis-server this run uses: other
  // servers on the machine (tests start their own) count as other processes.
  const postgres = new Map<number, { kind: 'ours' | 'server' | 'other'; ticks: number }>();
  const redis = new Map<number, number>();
  const ours = new RegExp(`\\s${watched.database}(\\s|$)`);
  for (const entry of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const pid = Number(entry);
    const isPostgres = pid === watched.postmaster;
    const stat = await statOf(entry);
    if (!stat) continue;
    if (!isPostgres && stat.ppid !== watched.postmaster) {
      if (watched.redisPort) {
        const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
        if (cmdline.startsWith('redis-server') && cmdline.includes(`:${watched.redisPort}`)) redis.set(pid, stat.ticks);
      }
      continue;
    }
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim();
    const kind = isPostgres ? 'server' : ours.test(cmdline) ? 'ours' : BACKGROUND.test(cmdline) ? 'server' : 'other';
    postgres.set(pid, { kind, ticks: stat.ticks });
  }
  return {
    at: performance.now(), machine: await machine(), herald, postgres, redis,
    bench: { total: await ticks(`/proc/${process.pid}/stat`), main: await ticks(`/proc/${process.pid}/task/${process.pid}/stat`) },
    disk: await disk(), wal: await wal(watched.pool),
  };
}

const pct = (tickDelta: number, seconds: number) => Math.round(((tickDelta / TICKS_PER_SEC) / seconds) * 100);

/**
 * Percent of one core each group used between two snapshots (the machine has os.cpus().length
 * cores: 200 is all of two), the busiest single event-loop thread of each herald group, and what
 * is left to other processes. A backend or process that ended in between is missed.
 */
export function usage(a: Snapshot, b: Snapshot) {
  const seconds = (b.at - a.at) / 1000;
  const cores = os.cpus().length;
  const machineTicks = b.machine.total - a.machine.total;
  const busyOfAll = (b.machine.busy - a.machine.busy) / Math.max(1, machineTicks);
  const groups: Record<string, number> = {};
  const mainThreadMax: Record<string, number> = {};
  for (const [pid, now] of b.herald) {
    const before = a.herald.get(pid);
    groups[`herald-${now.group}`] = (groups[`herald-${now.group}`] ?? 0) + pct(now.total - (before?.total ?? 0), seconds);
    const main = pct(now.main - (before?.main ?? 0), seconds);
    mainThreadMax[`herald-${now.group}`] = Math.max(mainThreadMax[`herald-${now.group}`] ?? 0, main);
  }
  const pgTicks = { ours: 0, server: 0, other: 0 };
  for (const [pid, now] of b.postgres) pgTicks[now.kind] += now.ticks - (a.postgres.get(pid)?.ticks ?? 0);
  let redisTicks = 0;
  for (const [pid, now] of b.redis) redisTicks += now - (a.redis.get(pid) ?? 0);
  const percentOfOneCore = {
    ...groups,
    'postgres-backends': pct(pgTicks.ours, seconds),
    'postgres-server': pct(pgTicks.server, seconds),
    redis: pct(redisTicks, seconds),
    bench: pct(b.bench.total - a.bench.total, seconds),
  };
  const attributed = Object.values(percentOfOneCore).reduce((s, v) => s + v, 0);
  const machineBusy = Math.round(busyOfAll * cores * 100);
  const wal = a.wal && b.wal ? {
    recordsPerSec: Math.round((b.wal.records - a.wal.records) / seconds),
    mbPerSec: Number(((b.wal.bytes - a.wal.bytes) / 1e6 / seconds).toFixed(2)),
    syncsPerSec: Math.round((b.wal.syncs - a.wal.syncs) / seconds),
  } : null;
  return {
    seconds: Number(seconds.toFixed(1)),
    cores,
    machineBusyPercentOfOneCore: machineBusy,
    percentOfOneCore: {
      ...percentOfOneCore,
      // Other databases' backends on the shared server, and everything else: not this measurement.
      'postgres-other-databases': pct(pgTicks.other, seconds),
      otherProcesses: Math.max(0, machineBusy - attributed - pct(pgTicks.other, seconds)),
    },
    busiestThreadPercent: { ...mainThreadMax, 'bench-main': pct(b.bench.main - a.bench.main, seconds), redis: pct(redisTicks, seconds) },
    iowaitPercentOfOneCore: Math.round(((b.machine.iowait - a.machine.iowait) / Math.max(1, machineTicks)) * cores * 100),
    disk: { writesPerSec: Math.round((b.disk.writes - a.disk.writes) / seconds), mbWrittenPerSec: Number((((b.disk.sectors - a.disk.sectors) * 512) / 1e6 / seconds).toFixed(2)) },
    postgresWal: wal,
  };
}

export type Usage = ReturnType<typeof usage>;

/**
 * usage() as milliseconds of one core a unit of work (a request, 500 rows) between two snapshots,
 * by group, with the machine's iowait and idle: on a shared machine a ratio of two throughputs is a
 * ratio of the CPU a unit costs, and this says whose.
 */
export function msPerUnit(a: Snapshot, b: Snapshot, units: number): Record<string, number> {
  const u = usage(a, b);
  const seconds = (b.at - a.at) / 1000;
  const ms = (percentOfOneCore: number) => Number((((percentOfOneCore / 100) * seconds * 1000) / Math.max(1, units)).toFixed(3));
  const idle = Math.max(0, u.cores * 100 - u.machineBusyPercentOfOneCore - u.iowaitPercentOfOneCore);
  return { ...Object.fromEntries(Object.entries(u.percentOfOneCore).map(([k, v]) => [k, ms(v)])), iowait: ms(u.iowaitPercentOfOneCore), idle: ms(idle) };
}

/**
 * Which resource is the wall, from a Usage: all cores busy (and who holds them), else one thread
 * at its core's limit (an event loop, redis-server, the benchmark's own sink or load loop), else
 * the disk (iowait), else none: the run waited on round trips rather than on a resource.
 */
export function saturation(u: Usage, fsyncPerSecLimit: number | null): { resource: string; detail: string } {
  const capacity = u.cores * 100;
  const top = Object.entries(u.percentOfOneCore).sort((x, y) => y[1] - x[1]).filter(([, v]) => v > 0).slice(0, 3)
    .map(([k, v]) => `${k} ${v}%`).join(', ');
  if (u.machineBusyPercentOfOneCore >= 0.9 * capacity) return { resource: 'cpu', detail: `all ${u.cores} cores busy (${u.machineBusyPercentOfOneCore}% of ${capacity}%): ${top}` };
  const thread = Object.entries(u.busiestThreadPercent).sort((x, y) => y[1] - x[1])[0];
  if (thread && thread[1] >= 85) return { resource: `single thread: ${thread[0]}`, detail: `${thread[0]} at ${thread[1]}% of one core; machine ${u.machineBusyPercentOfOneCore}% of ${capacity}%` };
  if (u.iowaitPercentOfOneCore >= 30) return { resource: 'disk', detail: `iowait ${u.iowaitPercentOfOneCore}% of one core` };
  if (fsyncPerSecLimit && u.postgresWal && u.postgresWal.syncsPerSec >= 0.8 * fsyncPerSecLimit) {
    return { resource: 'disk fsync', detail: `${u.postgresWal.syncsPerSec} WAL syncs/s of ~${fsyncPerSecLimit} possible` };
  }
  return { resource: 'none', detail: `machine ${u.machineBusyPercentOfOneCore}% of ${capacity}% (${top}): bound by waits (round trips, locks, commits), not by a resource` };
}
