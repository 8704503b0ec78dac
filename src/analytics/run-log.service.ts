import { toIso } from '../platform/http/reply.js';
import type { RunLogFilter, RunLogRepository } from './run-log.repository.js';

export interface RunLogServiceDeps {
  readonly runLog: RunLogRepository;
}

/** The rollup run log as the admin API shows it (GET /api/admin/jobs/aggregation/logs). */
export class RunLogService {
  constructor(private readonly deps: RunLogServiceDeps) {}

  async list(filter: RunLogFilter) {
    const { rows, total } = await this.deps.runLog.list(filter);
    const items = rows.map((r) => ({
      id: r.id, jobType: r.job_type, periodStartDate: toIso(r.period_start_date)!, periodEndDate: toIso(r.period_end_date)!,
      startedAt: toIso(r.started_at)!, completedAt: toIso(r.completed_at), status: r.status, recordsProcessed: r.records_processed,
      recordsCreated: r.records_created, recordsUpdated: r.records_updated, errorsCount: r.errors_count, durationSeconds: r.duration_seconds,
      memoryUsedMb: r.memory_used_mb, errorMessage: r.error_message, errorStack: r.error_stack, metadata: r.metadata, createdAt: toIso(r.created_at)!,
    }));
    return { items, total };
  }
}
