// The webhooks capability's public surface: the module and the port others emit events through.
export { webhooksModule, type WebhooksModule, type WebhooksModuleDeps } from './webhooks.module.js';
export { noWebhookEvents, type WebhookEvent, type WebhookEvents } from './webhooks.emit.js';
export type { WebhookEventType } from '../platform/db/schema.js';
export type { Resolver } from './webhooks.http.js';
