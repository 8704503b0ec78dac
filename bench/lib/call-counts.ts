import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Counts what this process sends its databases: PostgreSQL statements per pool (by the
 * connection's application_name: the service's `herald`, the bare baseline's own) and Redis
 * commands by name. In-process, so the shared PostgreSQL and Redis other processes use at the same
 * time do not blur the count (INFO commandstats and pg_stat_database would). A benchmark divides a
 * run's delta by its requests: round trips per request.
 */

export type CallCounts = Record<string, number>;

const counts: CallCounts = {};
let installed = false;

export function installCallCounts(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: pg.Client & { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
    const key = `pg:${this.connectionParameters?.application_name ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function counted(this: Redis, ...args: Parameters<typeof sendCommand>) {
    const key = `redis:${args[0].name.toUpperCase()}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return sendCommand.apply(this, args);
  };
}

export const snapshotCalls = (): CallCounts => ({ ...counts });

/** Calls per request between two snapshots (only those that moved), to 3 decimals. */
export function callsPerRequest(before: CallCounts, after: CallCounts, requests: number): CallCounts {
  const out: CallCounts = {};
  for (const [key, n] of Object.entries(after)) {
    const delta = n - (before[key] ?? 0);
    if (delta > 0) out[key] = Number((delta / Math.max(1, requests)).toFixed(3));
  }
  return out;
}
