import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import { PermanentDeliveryError, type DeliveryService } from './delivery.service.js';

export interface DeliveryJobsDeps {
  readonly delivery: Pick<DeliveryService, 'deliver'>;
}

export function notificationDeliveryJobs({ delivery }: DeliveryJobsDeps): JobHandlers['notification-delivery'] {
  return {
    NotificationsDeliver: async ({ notificationIds }) => {
      if (!Array.isArray(notificationIds)) throw new UnrecoverableError('notificationIds missing');
      try {
        return await delivery.deliver(notificationIds);
      } catch (err) {
        if (err instanceof PermanentDeliveryError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
  };
}
