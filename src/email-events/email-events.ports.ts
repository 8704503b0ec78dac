import type { Executor } from '../platform/db/client.js';
import type { EmailEventType } from '../platform/db/schema.js';

/**
 * The ports of the email-events capability: what it offers (DeliveryEvents, read by the message
 * timeline) and what it needs from others, declared structurally here and plugged in by app.ts
 * (the suppression list of src/deliverability, the outbound webhooks of src/webhooks), so this
 * folder imports no other capability.
 */

/** One provider event about one of our emails, as the message timeline shows it. */
export interface DeliveryEvent {
  readonly emailLogId: string;
  readonly type: EmailEventType;
  readonly provider: string;
  readonly permanent: boolean;
  readonly detail: string | null;
  readonly occurredAt: Date;
}

/** Read port: the providers' events of the given email_log rows, oldest first. */
export interface DeliveryEvents {
  forEmails(emailLogIds: readonly string[]): Promise<DeliveryEvent[]>;
}

/** What a bounce or complaint tells the suppression list (src/deliverability's `Suppressions`). */
export interface SuppressionInput {
  readonly email: string;
  readonly reason: 'hard-bounce' | 'complaint';
  readonly source: string;
  readonly detail: string | null;
  readonly messageId: string | null;
  readonly userId: string | null;
}

/** The suppression list as this capability needs it; both run inside the event's transaction. */
export interface SuppressionsPort {
  suppress(trx: Executor, input: SuppressionInput): Promise<unknown>;
  /** A complaint: suppresses the address and turns the user's email preference off. */
  complaint(trx: Executor, input: Omit<SuppressionInput, 'reason'>): Promise<unknown>;
}

/** Outbound webhooks (src/webhooks' `WebhookEvents`), optional: written in the same transaction. */
export interface WebhookEmitPort {
  emit(trx: Executor, events: readonly { type: 'email.bounced' | 'email.complained'; orderingKey: string; data: Record<string, unknown> }[]): Promise<void>;
}
