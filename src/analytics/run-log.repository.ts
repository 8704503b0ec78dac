import type { AggregationJobType, AggregationStatus } from '../platform/db/schema.js';
import { Repository } from '../platform/db/repository.js';
import type { PeriodType } from './analytics.periods.js';

export interface RunLogFilter {
  readonly jobType?: AggregationJobType;
  readonly status?: AggregationStatus;
  /** period_start_date >= startDate. */
  readonly startDate?: Date;
  /** period_end_date <= endDate. */
  readonly endDate?: Date;
  readonly limit: number;
  readonly offset: number;
}

/** metrics_aggregation_jobs_log: one row per rollup run, written as it starts and as it ends. */
export class RunLogRepository extends Repository {
  async start(p: { type: PeriodType; start: Date; end: Date; metadata: object }): Promise<string> {
    const row = await this.db.insertInto('metrics_aggregation_jobs_log').values({
      job_type: p.type, period_start_date: p.start, period_end_date: p.end, status: 'RUNNING', metadata: JSON.stringify(p.metadata),
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async finish(id: string, f: {
    status: Exclude<AggregationStatus, 'RUNNING'>; processed: number; created: number; updated: number; errors: number;
    durationSeconds: number; memoryMb: number; errorMessage: string | null; errorStack: string | null; metadata: object;
  }): Promise<void> {
    await this.db.updateTable('metrics_aggregation_jobs_log').set({
      status: f.status, completed_at: new Date(), records_processed: f.processed, records_created: f.created, records_updated: f.updated,
      errors_count: f.errors, duration_seconds: f.durationSeconds, memory_used_mb: f.memoryMb, error_message: f.errorMessage,
      error_stack: f.errorStack, metadata: JSON.stringify(f.metadata),
    }).where('id', '=', id).execute();
  }

  /** A page of runs, newest first, and how many match (the admin list: lag-tolerant, on readDb). */
  async list(f: RunLogFilter) {
    let base = this.readDb.selectFrom('metrics_aggregation_jobs_log');
    if (f.jobType) base = base.where('job_type', '=', f.jobType);
    if (f.status) base = base.where('status', '=', f.status);
    if (f.startDate) base = base.where('period_start_date', '>=', f.startDate);
    if (f.endDate) base = base.where('period_end_date', '<=', f.endDate);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}
