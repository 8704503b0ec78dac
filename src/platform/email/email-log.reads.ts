import { sql } from 'kysely';
import { Repository } from '../db/repository.js';
import type { EmailStatus } from '../db/schema.js';
import { isId } from '../http/validation.js';

/** One email_log row as the admin's message timeline shows it (no bodies). */
export interface LoggedEmail {
  readonly id: string;
  readonly key: string;
  readonly kind: 'notification' | 'digest';
  readonly to: string;
  readonly subject: string;
  readonly status: EmailStatus;
  readonly attempts: number;
  readonly messageId: string;
  readonly transport: string | null;
  readonly smtpResponse: string | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sentAt: Date | null;
}

/** Emails of the last hours, counted by outcome and by the transport that took them. */
export interface EmailSummaryRow {
  readonly status: EmailStatus;
  /** null: never handed to a transport (sending, failed before acceptance, suppressed). */
  readonly transport: string | null;
  readonly count: number;
}

type Row = {
  id: string; key: string; kind: 'notification' | 'digest'; to_address: string; subject: string; status: EmailStatus; attempts: number;
  message_id: string; transport: string | null; smtp_response: string | null; error: string | null; created_at: Date; updated_at: Date; sent_at: Date | null;
};
const COLUMNS = ['id', 'key', 'kind', 'to_address', 'subject', 'status', 'attempts', 'message_id', 'transport', 'smtp_response', 'error', 'created_at', 'updated_at', 'sent_at'] as const;

const view = (r: Row): LoggedEmail => ({
  id: r.id, key: r.key, kind: r.kind, to: r.to_address, subject: r.subject, status: r.status, attempts: r.attempts, messageId: r.message_id,
  transport: r.transport, smtpResponse: r.smtp_response, error: r.error, createdAt: r.created_at, updatedAt: r.updated_at, sentAt: r.sent_at,
});

/**
 * The email log's admin reads beyond the list (EmailLogRepository owns the claims and the list):
 * a notification's emails, emails by key (a digest's) or by Message-ID (a provider's report), and the outcome summary. On the primary:
 * an admin tracing a message just sent must see its row.
 */
export class EmailLogReads extends Repository {
  /** email_log_notification_idx (0016). */
  async forNotification(notificationId: string): Promise<LoggedEmail[]> {
    if (!isId(notificationId)) return [];
    const rows = await this.db.selectFrom('email_log').select(COLUMNS).where('notification_id', '=', notificationId).orderBy('created_at').execute();
    return rows.map((r) => view(r as Row));
  }

  async byKeys(keys: readonly string[]): Promise<LoggedEmail[]> {
    if (keys.length === 0) return [];
    const rows = await this.db.selectFrom('email_log').select(COLUMNS).where('key', 'in', [...keys]).orderBy('created_at').execute();
    return rows.map((r) => view(r as Row));
  }

  /**
   * The email_log rows these Message-IDs name (indexed), with their users: one statement for all of
   * an event's candidates. Several rows never share one Message-ID: it is derived from the unique key.
   */
  async logsByMessageIds(messageIds: readonly string[]): Promise<Array<{ id: string; userId: string | null; to: string; messageId: string }>> {
    if (messageIds.length === 0) return [];
    const rows = await this.db.selectFrom('email_log').select(['id', 'user_id', 'to_address', 'message_id'])
      .where('message_id', '=', sql<string>`ANY(${[...messageIds]}::text[])`).execute();
    return rows.map((r) => ({ id: r.id, userId: r.user_id, to: r.to_address, messageId: r.message_id }));
  }

  /**
   * Counts by status and transport of the emails created since `since`. A range of the log's
   * created_at: lag-tolerant (readDb), an overview refreshed every half minute.
   */
  async summary(since: Date): Promise<EmailSummaryRow[]> {
    const result = await sql<{ status: EmailStatus; transport: string | null; n: number }>`
      SELECT status, transport, count(*)::int AS n FROM email_log WHERE created_at >= ${since}
      GROUP BY status, transport ORDER BY status, transport NULLS FIRST`.execute(this.readDb);
    return result.rows.map((r) => ({ status: r.status, transport: r.transport, count: r.n }));
  }
}
