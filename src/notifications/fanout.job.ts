import type { JobHandlers } from '../platform/queue/registry.js';
import type { NotificationsService } from './notifications.service.js';

export interface FanoutJobsDeps {
  readonly notifications: Pick<NotificationsService, 'fanOutBatch'>;
}

// The payload is checked by its schema before the handler runs (platform/queue/registry.schemas.ts).
export function notificationFanoutJobs({ notifications }: FanoutJobsDeps): JobHandlers['notification-fanout'] {
  return {
    NotificationBatchFanOut: async ({ batchId }, job) => {
      const created = await notifications.fanOutBatch(batchId, (n) => job.updateProgress({ created: n }));
      return { created };
    },
  };
}
