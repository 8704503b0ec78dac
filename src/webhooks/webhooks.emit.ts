import type { Kysely } from 'kysely';
import type { Database, WebhookEventType } from '../platform/db/schema.js';
import type { EmailSent } from '../platform/email/email.service.js';
import { enqueueManyInTx } from '../platform/queue/outbox.js';
import type { WebhooksRepository } from './webhooks.repository.js';
import type { SubscriptionCache } from './webhooks.subscriptions.js';

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
  /**
   * False when surely no endpoint wants `type` (the subscription cache, no I/O): a caller may then
   * skip building events, or a transaction it needs only for them. True means "maybe": emit.
   */
  wants(type: WebhookEventType): boolean;
}

/**
 * With no endpoint subscribed (the cache says so), nothing at all; otherwise one statement per
 * call whatever the number of events (a fan-out page's), and the outbox rows only when some
 * endpoint matched (no relay wake-up for nothing).
 */
export function webhookEvents(repo: WebhooksRepository, cache: SubscriptionCache): WebhookEvents {
  return {
    wants: (type) => cache.wants(type),
    async emit(trx, events) {
      if (!events.some((e) => cache.wants(e.type))) return;
      const ids = await repo.in(trx).insertDeliveries(events);
      if (ids.length) await enqueueManyInTx(trx, 'webhook-delivery', 'WebhookDeliver', ids.map((id) => ({ id: String(id) })));
    },
  };
}

/** email.sent for every accepted email, digest.sent for a digest's too, in the transaction that completes it. */
export function emailSentEvents(events: WebhookEvents): EmailSent {
  return {
    wants: (kind) => events.wants('email.sent') || (kind === 'digest' && events.wants('digest.sent')),
    record: (trx, sent) => {
      const data = { emailKey: sent.key, kind: sent.kind, notificationId: sent.notificationId, userId: sent.userId, to: sent.to, messageId: sent.messageId, status: sent.status, transport: sent.transport };
      // A notification's email is ordered with its created and read events.
      const list: WebhookEvent[] = [{ type: 'email.sent', orderingKey: sent.notificationId ?? `email:${sent.key}`, data }];
      if (sent.kind === 'digest') list.push({ type: 'digest.sent', orderingKey: `digest:${sent.userId ?? sent.key}`, data: { userId: sent.userId, emailKey: sent.key, to: sent.to, messageId: sent.messageId } });
      return events.emit(trx, list);
    },
  };
}

/** For a module built without webhooks (tests of one capability, the CLI): emits nothing. */
export const noWebhookEvents: WebhookEvents = { emit: async () => undefined, wants: () => false };
