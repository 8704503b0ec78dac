import type { Platform } from '../platform/module.js';
import { listWorkers } from '../platform/queue/heartbeat.js';
import { nextRunOf } from '../platform/queue/schedules.js';
import { toIso } from '../platform/http/reply.js';
import type { DigestRuns } from './admin.ports.js';

export interface JobStatsServiceDeps extends Pick<Platform, 'queues' | 'redis'> {
  /** BullMQ's key prefix (the worker heartbeats live under it). */
  readonly prefix: string;
  readonly digests: DigestRuns;
}

/** The live worker processes and the notification jobs' figures, for the admin views. */
export class JobStatsService {
  constructor(private readonly deps: JobStatsServiceDeps) {}

  workers() {
    return listWorkers(this.deps.redis, this.deps.prefix);
  }

  /** Delivery queue counts, and the last and next digest runs (a key is left out when there is none). */
  async notifications() {
    const { queues, digests } = this.deps;
    const [counts, lastDaily, lastWeekly, nextDaily, nextWeekly] = await Promise.all([
      queues.get('notification-delivery').getJobCounts('waiting', 'active', 'completed', 'failed'),
      digests.lastRun('DAILY'),
      digests.lastRun('WEEKLY'),
      nextRunOf(queues, 'digest-daily'),
      nextRunOf(queues, 'digest-weekly'),
    ]);
    const digest: Record<string, string> = {};
    if (lastDaily) digest.lastDailyRun = toIso(lastDaily.run_at)!;
    if (lastWeekly) digest.lastWeeklyRun = toIso(lastWeekly.run_at)!;
    if (nextDaily) digest.nextDailyRun = nextDaily.toISOString();
    if (nextWeekly) digest.nextWeeklyRun = nextWeekly.toISOString();
    return {
      delivery: { waiting: counts.waiting ?? 0, active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      digest,
    };
  }
}
