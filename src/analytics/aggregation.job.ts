import type { Job } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import { previousPeriod } from './analytics.periods.js';
import type { AggregationService } from './aggregation.service.js';

/** The minute a scheduler's job was due, however late a worker picks it up. */
const dueAt = (job: Pick<Job, 'timestamp' | 'delay'>) => new Date(Math.floor((job.timestamp + (job.delay ?? 0)) / 60_000) * 60_000);

export interface AggregationJobsDeps {
  readonly aggregation: Pick<AggregationService, 'run' | 'requestLatePassIfFlagged' | 'maintain' | 'latePass'>;
}

export function analyticsAggregationJobs({ aggregation }: AggregationJobsDeps): JobHandlers['analytics-aggregation'] {
  return {
    // A scheduled run closes the period before its due time; manual, late and backfill runs name theirs.
    AnalyticsAggregate: async (data, job) => {
      const result = await aggregation.run({
        type: data.jobType,
        start: data.periodStart ? new Date(data.periodStart) : previousPeriod(data.jobType, dueAt(job)),
        trigger: data.trigger ?? 'schedule',
      });
      if (!data.periodStart && data.jobType === 'hourly') await aggregation.requestLatePassIfFlagged();
      return result;
    },
    AnalyticsMaintain: async () => aggregation.maintain(),
    AnalyticsLatePass: async () => aggregation.latePass(),
  };
}
