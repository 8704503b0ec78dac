import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../platform/db/schema.js';
import { isoTimestamp, okBody, pageBody } from '../platform/http/route-doc.js';

/** Response shapes of the admin webhooks API (docs/API.md), for OpenAPI and the client. */

export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  description: z.string().nullable(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
}).meta({ id: 'WebhookEndpoint' });

export const webhookBody = okBody(webhookEndpointSchema);
/** Creation only: the signing secret, shown this once. */
export const webhookCreatedBody = okBody(webhookEndpointSchema.extend({ secret: z.string().describe('the signing secret; shown only in this answer') }));
export const webhooksBody = okBody(z.array(webhookEndpointSchema));

export const webhookAttemptSchema = z.object({
  attemptedAt: isoTimestamp,
  statusCode: z.number().int().nullable().describe('null: no HTTP answer (timeout, refused connection, refused target)'),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  responseSnippet: z.string().nullable().describe('the first WEBHOOK_RESPONSE_MAX_BYTES of the answer'),
}).meta({ id: 'WebhookAttempt' });

export const webhookDeliverySchema = z.object({
  id: z.string().describe('X-Herald-Delivery: the same across retries and replays'),
  event: z.string(),
  orderingKey: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  createdAt: isoTimestamp,
  deliveredAt: isoTimestamp.nullable(),
  lastError: z.string().nullable(),
  payload: z.unknown(),
  attemptLog: z.array(webhookAttemptSchema),
}).meta({ id: 'WebhookDelivery' });

export const webhookDeliveriesBody = pageBody(webhookDeliverySchema);
export const webhookDeliveryAcceptedBody = okBody(z.object({ deliveryId: z.string() }));
