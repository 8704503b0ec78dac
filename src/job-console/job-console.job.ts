import type { JobHandlers } from '../platform/queue/registry.js';
import type { HistoryMaintenance } from './history-maintenance.service.js';
import type { MetricsService } from './metrics.service.js';

export interface JobConsoleJobsDeps {
  readonly maintenance: Pick<HistoryMaintenance, 'maintain'>;
  readonly metrics: Pick<MetricsService, 'rollup'>;
  /** The platform's clock (Date.now; tests run ahead of it to close the current minute). */
  readonly now: () => number;
}

export function jobConsoleJobs(deps: JobConsoleJobsDeps): JobHandlers['job-console'] {
  return {
    JobHistoryMaintain: async () => deps.maintenance.maintain(),
    // Closed buckets since the level's watermark (and the last few again), as of the worker's clock.
    JobMetricsRollup: async (data) => deps.metrics.rollup(data.granularity, new Date(deps.now())),
  };
}
