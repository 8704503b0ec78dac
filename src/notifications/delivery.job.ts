import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../platform/queue/registry.js';
import { PermanentDeliveryError, type DeliveryService } from './delivery.service.js';

export interface DeliveryJobsDeps {
  readonly delivery: Pick<DeliveryService, 'deliver'>;
}

// The payload is checked by its schema before the handler runs (platform/queue/registry.schemas.ts);
// a mail server's permanent refusal fails the job for good, anything else is retried.
export function notificationDeliveryJobs({ delivery }: DeliveryJobsDeps): JobHandlers['notification-delivery'] {
  return {
    NotificationsDeliver: async ({ notificationIds, held }) => {
      try {
        return await delivery.deliver(notificationIds, { held });
      } catch (err) {
        if (err instanceof PermanentDeliveryError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
  };
}
