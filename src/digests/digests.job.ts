import type { Job } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import type { DigestsService } from './digests.service.js';

/** A scheduler's job acts as of its scheduled minute, however late a worker picks it up. */
export function scheduledTime(job: Pick<Job, 'timestamp' | 'delay'>): Date {
  const at = job.timestamp + (job.delay ?? 0);
  return new Date(Math.floor(at / 60_000) * 60_000);
}

export function notificationDigestJobs(digests: DigestsService): JobHandlers['notification-digest'] {
  return {
    DigestRun: async (data, job) => {
      const result = await digests.run({
        frequency: data.frequency, scope: data.scope, runAt: data.at ? new Date(data.at) : scheduledTime(job), trigger: data.trigger ?? 'schedule',
      });
      // An admin's run has a fixed job id: its outbox rows are finished here, not by the worker.
      if (job.id?.startsWith('digest-run-')) await digests.completeRequestedRun(job.id);
      return result;
    },
    DigestSend: async (data, job) => digests.send(data, job.id ?? null),
  };
}
