import { sql } from 'kysely';
import type { Platform } from '../platform/module.js';
import { lockTimedOut, PARTITION_LOCK_TIMEOUT_MS, withDdlLockTimeout } from '../platform/queue/job-history.js';

export interface HistoryMaintenanceDeps extends Pick<Platform, 'db' | 'log'> {
  /** JOB_HISTORY_DAYS: whole UTC days older than this are dropped. */
  readonly days: number;
  /** How long each partition's CREATE or DROP waits for its lock on job_history (PARTITION_LOCK_TIMEOUT_MS). */
  readonly lockTimeoutMs?: number;
}

const DAY_MS = 86_400_000;
const AHEAD_DAYS = 3;

/** The UTC day (YYYYMMDD) a partition name stands for, or null for a name that is not one. */
export function partitionDay(name: string): string | null {
  return /^job_history_p(\d{8})$/.exec(name)?.[1] ?? null;
}

/**
 * Job history's partitions: made ahead, dropped whole past JOB_HISTORY_DAYS. Each CREATE or DROP
 * takes an ACCESS EXCLUSIVE lock on job_history and gives up after a short wait for it (a long
 * read of the table holds it off; queued behind that read, it would block every history write and
 * search): the run does the rest, then fails naming what it could not do, and is retried.
 */
export class HistoryMaintenance {
  constructor(private readonly deps: HistoryMaintenanceDeps) {}

  async maintain(now = new Date()): Promise<{ created: number; dropped: string[] }> {
    const busy: string[] = [];
    const ddl = async (name: string, statement: Parameters<typeof withDdlLockTimeout>[2]): Promise<boolean> => {
      try {
        await withDdlLockTimeout(this.deps.db, this.deps.lockTimeoutMs ?? PARTITION_LOCK_TIMEOUT_MS, statement);
        return true;
      } catch (err) {
        if (!lockTimedOut(err)) throw err;
        busy.push(name);
        return false;
      }
    };
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (let i = 0; i <= AHEAD_DAYS; i++) {
      const day = new Date(today + i * DAY_MS).toISOString().slice(0, 10);
      await ddl(`job_history_p${day.replaceAll('-', '')}`, (tx) => sql`SELECT job_history_ensure_partition(${day}::date)`.execute(tx));
    }
    // A partition holds one UTC day; it goes once the whole day is older than the horizon.
    const horizon = new Date(today - this.deps.days * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'job_history'::regclass`.execute(this.deps.db);
    const dropped: string[] = [];
    for (const { name } of rows) {
      const day = partitionDay(name);
      if (day === null || day >= horizon) continue;
      if (await ddl(name, (tx) => sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(tx))) dropped.push(day);
    }
    if (dropped.length) this.deps.log.info({ dropped }, 'job history retention applied');
    if (busy.length) {
      this.deps.log.warn({ busy, dropped }, 'job history maintenance: partitions busy (a long read of job_history held their lock); retried');
      throw new Error(`job history partitions busy, not made or dropped: ${busy.join(', ')} (a long read of job_history held the table's lock); retried`);
    }
    return { created: AHEAD_DAYS + 1, dropped };
  }
}
