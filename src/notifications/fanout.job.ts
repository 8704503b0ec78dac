import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import type { NotificationsService } from './notifications.service.js';

export function notificationFanoutJobs(service: NotificationsService): JobHandlers['notification-fanout'] {
  return {
    NotificationBatchFanOut: async ({ batchId }, job) => {
      if (typeof batchId !== 'string') throw new UnrecoverableError('batchId missing');
      const created = await service.fanOutBatch(batchId, (n) => job.updateProgress({ created: n }));
      return { created };
    },
  };
}
