import { AuditRepository } from '../admin/index.js';
import type { Module, Platform } from '../platform/module.js';
import { suppressionRoutes } from './suppressions.routes.js';
import { SuppressionsRepository } from './suppressions.repository.js';
import { SuppressionsService, type EmailOptOut, type SuppressionWebhooks } from './suppressions.service.js';

export interface DeliverabilityModuleDeps extends Pick<Platform, 'db' | 'readDb' | 'metrics' | 'email'> {
  /** Notifications' port: a complaint turns the user's email preference off. */
  readonly optOut: EmailOptOut;
  /** Outbound webhooks (email.suppressed), when that capability is wired. */
  readonly webhooks?: SuppressionWebhooks;
}

/**
 * The suppression list: addresses herald does not mail (a permanent refusal or a complaint) until
 * an admin lifts them. The send-time check is in the email log's claim (platform/email), which
 * reads the same table in the claim's own statement.
 */
export function deliverabilityModule(deps: DeliverabilityModuleDeps) {
  const { metrics } = deps;
  const suppressions = new SuppressionsService({
    db: deps.db, suppressions: new SuppressionsRepository(deps.db, deps.readDb), audit: new AuditRepository(deps.db), optOut: deps.optOut, webhooks: deps.webhooks,
    onSuppressed: (reason, source) => metrics.suppressions.inc({ reason, source }),
    onLifted: (reason) => metrics.suppressionLifts.inc({ reason }),
  });
  // A permanent refusal of the address at hand-off suppresses it, in the transaction failing the email.
  deps.email.onRecipientRefused(async (trx, r) => {
    await suppressions.suppress(trx, { email: r.email, reason: 'hard-bounce', source: 'smtp', detail: r.detail, messageId: r.messageId, userId: r.userId });
  });
  return {
    suppressions,
    jobs: {},
    routes(http) {
      suppressionRoutes(http, { suppressions });
    },
  } satisfies Module & Record<string, unknown>;
}
export type DeliverabilityModule = ReturnType<typeof deliverabilityModule>;
