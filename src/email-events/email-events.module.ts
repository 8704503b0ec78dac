import type { Module, Platform } from '../platform/module.js';
import { EmailEventsRepository } from './email-events.repository.js';
import type { DeliveryEvents, SuppressionsPort, WebhookEmitPort } from './email-events.ports.js';

export interface EmailEventsModuleDeps extends Pick<Platform, 'db' | 'readDb' | 'config' | 'log' | 'metrics'> {
  /** src/deliverability's suppression list; absent until wired (then bounces are recorded only). */
  readonly suppressions?: SuppressionsPort;
  /** src/webhooks' outbound events (email.bounced, email.complained), when wired. */
  readonly webhooks?: WebhookEmitPort;
}

/** Providers' delivery events: the intake webhooks (POST /api/webhooks/email/:provider) and their read port. */
export function emailEventsModule(deps: EmailEventsModuleDeps) {
  const repository = new EmailEventsRepository(deps.db, deps.readDb);
  const deliveryEvents: DeliveryEvents = { forEmails: (ids) => repository.forEmails(ids) };
  return { deliveryEvents, jobs: {} } satisfies Module & Record<string, unknown>;
}
export type EmailEventsModule = ReturnType<typeof emailEventsModule>;
