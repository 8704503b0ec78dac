import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import type { NotificationsService } from './notifications.service.js';

export interface FanoutJobsDeps {
  readonly notifications: Pick<NotificationsService, 'fanOutBatch'>;
}

export function notificationFanoutJobs({ notifications }: FanoutJobsDeps): JobHandlers['notification-fanout'] {
  return {
    NotificationBatchFanOut: async ({ batchId }, job) => {
      if (typeof batchId !== 'string') throw new UnrecoverableError('batchId missing');
      const created = await notifications.fanOutBatch(batchId, (n) => job.updateProgress({ created: n }));
      return { created };
    },
  };
}
