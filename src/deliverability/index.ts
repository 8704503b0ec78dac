// The public surface of deliverability (the dependency rule, docs/ARCHITECTURE.md): its module and
// the Suppressions port bounce/complaint intake (src/email-events) calls in its transaction.
export { deliverabilityModule, type DeliverabilityModule, type DeliverabilityModuleDeps } from './deliverability.module.js';
export type { ComplaintInput, EmailOptOut, SuppressInput, Suppressions, SuppressionWebhooks } from './suppressions.service.js';
