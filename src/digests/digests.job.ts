import type { Job } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import type { DigestsService } from './digests.service.js';

/** A scheduler's job acts as of its scheduled minute, however late a worker picks it up. */
export function scheduledTime(job: Pick<Job, 'timestamp' | 'delay'>): Date {
  const at = job.timestamp + (job.delay ?? 0);
  return new Date(Math.floor(at / 60_000) * 60_000);
}

export interface DigestJobsDeps {
  readonly digests: Pick<DigestsService, 'run' | 'send'>;
}

export function notificationDigestJobs({ digests }: DigestJobsDeps): JobHandlers['notification-digest'] {
  return {
    // An admin's run has a fixed job id; the worker completes its outbox rows (outbox-fixed.ts).
    DigestRun: async (data, job) => digests.run({
      frequency: data.frequency, scope: data.scope, runAt: data.at ? new Date(data.at) : scheduledTime(job), trigger: data.trigger ?? 'schedule',
    }),
    DigestSend: async (data, job) => digests.send(data, job.id ?? null),
  };
}
