import type { Generated } from 'kysely';
import type { DefaultTimestamp, Json, NullableTimestamp } from './schema.columns.js';

/** Row types of outbound webhooks (issue 18: endpoints, deliveries, attempts), part of schema.ts. */

export const WEBHOOK_EVENT_TYPES = [
  'notification.created', 'notification.read', 'email.sent', 'email.bounced', 'email.complained', 'email.suppressed', 'digest.sent',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** `webhook.test` is sent only to the endpoint it was asked for (POST /api/admin/webhooks/:id/test); never subscribed to. */
export type WebhookDeliveryEventType = WebhookEventType | 'webhook.test';
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookEndpointsTable {
  id: Generated<string>;
  url: string;
  events: string[];
  secret: string;
  enabled: Generated<boolean>;
  description: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface WebhookDeliveriesTable {
  /** bigint, read as a number (client.ts parses int8): the order of events. */
  id: Generated<number>;
  delivery_id: Generated<string>;
  endpoint_id: string;
  event_type: string;
  ordering_key: string;
  payload: Json;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  created_at: DefaultTimestamp;
  delivered_at: NullableTimestamp;
  last_error: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempted_at: DefaultTimestamp;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_snippet: string | null;
}
