import { sql } from 'kysely';
import type { Platform } from '../platform/module.js';

export interface HistoryMaintenanceDeps extends Pick<Platform, 'db' | 'log'> {
  /** JOB_HISTORY_DAYS: whole UTC days older than this are dropped. */
  readonly days: number;
}

const DAY_MS = 86_400_000;
const AHEAD_DAYS = 3;

/** The UTC day (YYYYMMDD) a partition name stands for, or null for a name that is not one. */
export function partitionDay(name: string): string | null {
  return /^job_history_p(\d{8})$/.exec(name)?.[1] ?? null;
}

/** Job history's partitions: made ahead, dropped whole past JOB_HISTORY_DAYS. */
export class HistoryMaintenance {
  constructor(private readonly deps: HistoryMaintenanceDeps) {}

  async maintain(now = new Date()): Promise<{ created: number; dropped: string[] }> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (let i = 0; i <= AHEAD_DAYS; i++) {
      await sql`SELECT job_history_ensure_partition(${new Date(today + i * DAY_MS).toISOString().slice(0, 10)}::date)`.execute(this.deps.db);
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
      await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(this.deps.db);
      dropped.push(day);
    }
    if (dropped.length) this.deps.log.info({ dropped }, 'job history retention applied');
    return { created: AHEAD_DAYS + 1, dropped };
  }
}
