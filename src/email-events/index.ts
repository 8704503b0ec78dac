// The email-events capability's public surface: bounce/complaint intake webhooks and the read port of providers' events.
export { emailEventsModule, type EmailEventsModule, type EmailEventsModuleDeps } from './email-events.module.js';
export type { DeliveryEvent, DeliveryEvents, SuppressionInput, SuppressionsPort, WebhookEmitPort } from './email-events.ports.js';
