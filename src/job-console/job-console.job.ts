import type { JobHandlers } from '../platform/queue/registry.js';
import type { HistoryMaintenance } from './history-maintenance.service.js';

export interface JobConsoleJobsDeps {
  readonly maintenance: Pick<HistoryMaintenance, 'maintain'>;
}

export function jobConsoleJobs(deps: JobConsoleJobsDeps): JobHandlers['job-console'] {
  return {
    JobHistoryMaintain: async () => deps.maintenance.maintain(),
    // Filled in by the metrics part (metrics.service.ts).
    JobMetricsRollup: async () => ({ rolledUp: 0 }),
  };
}
