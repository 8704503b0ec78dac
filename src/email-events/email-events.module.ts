import { Counter } from 'prom-client';
import { EmailLogReads } from '../platform/email/email-log.reads.js';
import type { Module, Platform } from '../platform/module.js';
import { EmailEventsRepository } from './email-events.repository.js';
import { emailEventsRoutes } from './email-events.routes.js';
import { EmailEventsService } from './email-events.service.js';
import type { DeliveryEvents, SuppressionsPort, WebhookEmitPort } from './email-events.ports.js';
import { SnsClient } from './sns.client.js';

export interface EmailEventsModuleDeps extends Pick<Platform, 'db' | 'readDb' | 'config' | 'log' | 'metrics' | 'limiter'> {
  /** src/deliverability's suppression list: a permanent bounce or a complaint suppresses the address. */
  readonly suppressions?: SuppressionsPort;
  /** src/webhooks' outbound events (email.bounced, email.complained), when wired. */
  readonly webhooks?: WebhookEmitPort;
}

/** Providers' delivery events: the intake webhooks (POST /api/webhooks/email/:provider) and their read port. */
export function emailEventsModule(deps: EmailEventsModuleDeps) {
  const { config, log, metrics } = deps;
  const repository = new EmailEventsRepository(deps.db, deps.readDb);
  const deliveryEvents: DeliveryEvents = { forEmails: (ids) => repository.forEmails(ids) };
  const events = new Counter({
    name: 'herald_email_events_total', help: 'Provider delivery events recorded (repeats excluded), by provider, type (delivered, bounce, complaint) and whether they matched an email of ours',
    labelNames: ['provider', 'type', 'matched'] as const, registers: [metrics.registry],
  });
  const refused = new Counter({
    name: 'herald_email_webhook_rejected_total', help: 'Bounce/complaint webhook requests refused, by provider (unknown for other names) and reason',
    labelNames: ['provider', 'reason'] as const, registers: [metrics.registry],
  });
  const { sns } = config.emailEvents;
  const intake = new EmailEventsService({
    db: deps.db, repository, emailLog: new EmailLogReads(deps.db, deps.readDb), log, sns: new SnsClient(sns), webhookSecret: config.emailEvents.webhookSecret, topicArns: sns.topicArns,
    suppressions: deps.suppressions, webhooks: deps.webhooks,
    onRecorded: (provider, event, matched) => events.inc({ provider, type: event.type, matched: String(matched) }),
  });
  return {
    deliveryEvents,
    intake,
    jobs: {},
    routes(http) {
      emailEventsRoutes(http, { intake, limiter: deps.limiter, config, onRejected: (provider, reason) => refused.inc({ provider, reason }) });
    },
  } satisfies Module & Record<string, unknown>;
}
export type EmailEventsModule = ReturnType<typeof emailEventsModule>;
