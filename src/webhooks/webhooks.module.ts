import http from 'node:http';
import https from 'node:https';
import { AuditRepository } from '../admin/index.js';
import type { Module, Platform } from '../platform/module.js';
import { emailSentEvents, webhookEvents } from './webhooks.emit.js';
import { systemResolver, type Resolver } from './webhooks.http.js';
import { webhookJobs } from './webhooks.job.js';
import { webhookMetrics } from './webhooks.metrics.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { webhookRoutes } from './webhooks.routes.js';
import { WebhooksService } from './webhooks.service.js';
import { SubscriptionCache } from './webhooks.subscriptions.js';

export interface WebhooksModuleDeps extends Pick<Platform, 'db' | 'readDb' | 'config' | 'metrics' | 'email'> {
  /** DNS for the SSRF guard; the system's by default (tests make a name resolve where they want). */
  readonly resolver?: Resolver;
}

/** Outbound webhooks: the admin API, the WebhookEvents port others emit through, and the delivery job. */
export function webhooksModule(deps: WebhooksModuleDeps) {
  const { db, config } = deps;
  const repo = new WebhooksRepository(db, deps.readDb);
  // Kept-alive connections per process; an address is checked for each request before it is used.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const webhooks = new WebhooksService({
    db, repo, audit: new AuditRepository(db), resolver: deps.resolver ?? systemResolver, metrics: webhookMetrics(deps.metrics.registry), agents,
    settings: { ...config.webhooks, backoffMs: config.jobs.backoffMs },
  });
  const events = webhookEvents(repo, new SubscriptionCache(repo, config.webhooks.subscriptionCacheMs));
  // email.sent and digest.sent: told by the email completion, in its transaction.
  deps.email.onSent(emailSentEvents(events));
  return {
    webhooks,
    /** Port: emit events inside the caller's transaction (src/webhooks/webhooks.emit.ts). */
    events,
    jobs: { 'webhook-delivery': webhookJobs(webhooks) },
    routes: (app) => webhookRoutes(app, webhooks),
    stop: async () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  } satisfies Module<'webhook-delivery'> & Record<string, unknown>;
}
export type WebhooksModule = ReturnType<typeof webhooksModule>;
