import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { EmailEventType } from '../platform/db/schema.js';
import type { DeliveryEvent } from './email-events.ports.js';

/** One provider event as stored: the intake's parsed event, already matched or not. */
export interface NewEmailEvent {
  readonly provider: string;
  readonly providerEventId: string;
  readonly type: EmailEventType;
  readonly email: string;
  readonly messageId: string | null;
  readonly emailLogId: string | null;
  readonly permanent: boolean;
  readonly detail: string | null;
  readonly occurredAt: Date;
}

/** Every SQL statement of the email-events capability (email_events; the email log is read through platform/email's EmailLogReads). */
export class EmailEventsRepository extends Repository {
  /**
   * Stores the event unless the provider already sent it (UNIQUE(provider, provider_event_id)):
   * returns its id, or null for a repeat, which then changes nothing else. ON CONFLICT DO NOTHING
   * waits for a concurrent insert of the same key to commit or roll back, so of ten parallel
   * deliveries exactly one gets an id.
   */
  async insert(e: NewEmailEvent): Promise<number | null> {
    const row = await this.db.insertInto('email_events').values({
      provider: e.provider, provider_event_id: e.providerEventId, type: e.type, email: e.email, message_id: e.messageId,
      email_log_id: e.emailLogId, permanent: e.permanent, detail: e.detail, occurred_at: e.occurredAt,
    }).onConflict((oc) => oc.columns(['provider', 'provider_event_id']).doNothing()).returning('id').executeTakeFirst();
    return row?.id ?? null;
  }

  /** The events of these emails, oldest first (the timeline's read, on the primary: it follows the webhook that wrote them; index email_events_log_idx). */
  async forEmails(emailLogIds: readonly string[]): Promise<DeliveryEvent[]> {
    if (emailLogIds.length === 0) return [];
    const rows = await this.db.selectFrom('email_events')
      .select(['email_log_id', 'type', 'provider', 'permanent', 'detail', 'occurred_at'])
      .where('email_log_id', '=', sql<string>`ANY(${[...emailLogIds]}::uuid[])`)
      .orderBy('occurred_at').orderBy('id').execute();
    return rows.map((r) => ({
      emailLogId: r.email_log_id as string, type: r.type, provider: r.provider, permanent: r.permanent, detail: r.detail, occurredAt: r.occurred_at,
    }));
  }
}
