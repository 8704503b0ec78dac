import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { App } from '../../src/app.js';
import type { JobHistoryState } from '../../src/platform/db/schema.js';
import { MetricsRepository } from '../../src/job-console/metrics.repository.js';
import { MetricsService } from '../../src/job-console/metrics.service.js';

export interface HistoryRow {
  queue: string;
  state?: JobHistoryState;
  finishedAt: Date;
  waitMs: number | null;
  runMs: number | null;
}

/** Writes terminal outcomes straight into job_history (each UTC day's partition made first), as the writer would. */
export async function insertHistory(app: App, rows: readonly HistoryRow[]): Promise<void> {
  const db = app.database.db;
  const days = new Set(rows.map((r) => r.finishedAt.toISOString().slice(0, 10)));
  for (const day of days) await sql`SELECT job_history_ensure_partition(${day}::date)`.execute(db);
  for (let i = 0; i < rows.length; i += 1_000) {
    await db.insertInto('job_history').values(rows.slice(i, i + 1_000).map((r) => {
      const finished = r.finishedAt.getTime();
      const processed = r.runMs === null ? null : new Date(finished - r.runMs);
      const jobId = randomUUID();
      return {
        queue: r.queue, job_id: jobId, name: 'MetricsTest', state: r.state ?? 'completed', data: null, return_summary: null,
        failed_reason: r.state === 'failed' ? 'boom' : null, stacktrace: null, attempts: 1,
        created_at: new Date((processed?.getTime() ?? finished) - (r.waitMs ?? 0)), processed_at: processed, finished_at: r.finishedAt,
        wait_ms: r.waitMs, run_ms: r.runMs, worker: null, schedule_id: null, search_text: jobId,
      };
    })).execute();
  }
}

/** The service as the module builds it, over the test app's database (a test drives its clock through `now`). */
export function metricsService(app: App, over: Partial<ConstructorParameters<typeof MetricsService>[0]> = {}): MetricsService {
  return new MetricsService({
    db: app.database.db, log: app.log, metrics: new MetricsRepository(app.database.db),
    retention: app.config.jobConsole.metrics, historyDays: app.config.jobConsole.history.days, flushMs: app.config.jobConsole.history.flushMs, ...over,
  });
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
export function percentileCont(values: readonly number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/** { p50, p95, p99 } of `values` as the API rounds them (to 0.01 ms), or null for none. */
export function expectedPercentiles(values: ReadonlyArray<number | null>): { p50: number; p95: number; p99: number } | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50: r(percentileCont(present, 0.5)), p95: r(percentileCont(present, 0.95)), p99: r(percentileCont(present, 0.99)) };
}
