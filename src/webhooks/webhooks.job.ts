import type { JobHandlers } from '../platform/queue/registry.js';
import type { WebhooksService } from './webhooks.service.js';

/** The webhook-delivery queue: one attempt per run; the last of the queue's attempts fails the delivery for good. */
export function webhookJobs(service: WebhooksService): JobHandlers['webhook-delivery'] {
  return {
    WebhookDeliver: async (data, job) => service.deliver(Number(data.id), { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
  };
}
