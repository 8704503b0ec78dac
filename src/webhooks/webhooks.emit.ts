import type { Kysely } from 'kysely';
import type { Database, WebhookEventType } from '../platform/db/schema.js';
import { enqueueManyInTx } from '../platform/queue/outbox.js';
import type { WebhooksRepository } from './webhooks.repository.js';

export interface WebhookEvent {
  readonly type: WebhookEventType;
  /** Events of one key reach an endpoint in the order they were emitted (a notification's id: created before read). */
  readonly orderingKey: string;
  readonly data: Record<string, unknown>;
}

/**
 * The port other capabilities emit through, inside the transaction of the change the event is
 * about: the deliveries and their outbox rows commit with it or not at all, so no event is lost
 * when Redis is away, and none is sent for a change that rolled back.
 */
export interface WebhookEvents {
  emit(trx: Kysely<Database>, events: readonly WebhookEvent[]): Promise<void>;
}

/**
 * With no endpoint subscribed to these types, one cheap statement (nothing inserted, no outbox
 * row, no relay wake-up). No cache: an endpoint committed before the event's statement runs gets
 * the event, so an endpoint created at T receives every event emitted after T.
 */
export function webhookEvents(repo: WebhooksRepository): WebhookEvents {
  return {
    async emit(trx, events) {
      if (events.length === 0) return;
      const ids = await repo.in(trx).insertDeliveries(events);
      if (ids.length) await enqueueManyInTx(trx, 'webhook-delivery', 'WebhookDeliver', ids.map((id) => ({ id: String(id) })));
    },
  };
}

/** For a module built without webhooks (tests of one capability, the CLI): emits nothing. */
export const noWebhookEvents: WebhookEvents = { emit: async () => undefined };
