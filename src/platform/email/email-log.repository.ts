import { sql } from 'kysely';
import type { Executor } from '../db/client.js';
import type { EmailStatus } from '../db/schema.js';

export interface EmailClaim {
  key: string;
  kind: 'notification' | 'digest';
  notificationId: string | null;
  userId: string | null;
  to: string;
  subject: string;
  messageId: string;
}

export class EmailLogRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Claims the email for `leaseMs`: a new key, or a key still 'sending' whose lease ran out (its
   * attempt died or failed temporarily). Returns the attempt number, or null when the email is
   * already done or another attempt holds it.
   */
  async claim(c: EmailClaim, leaseMs: number): Promise<{ attempts: number; status: EmailStatus } | null> {
    const result = await sql<{ attempts: number; status: EmailStatus }>`
      INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, claimed_until)
      VALUES (${c.key}, ${c.kind}, ${c.notificationId}, ${c.userId}, ${c.to}, ${c.subject}, 'sending', ${c.messageId},
              now() + ${leaseMs} * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE
        SET attempts = email_log.attempts + 1, claimed_until = excluded.claimed_until, updated_at = now(),
            to_address = excluded.to_address, subject = excluded.subject
        WHERE email_log.status = 'sending' AND email_log.claimed_until < now()
      RETURNING attempts, status`.execute(this.db);
    return result.rows[0] ?? null;
  }

  async status(key: string): Promise<{ status: EmailStatus; claimedUntil: Date | null } | null> {
    const row = await this.db.selectFrom('email_log').select(['status', 'claimed_until']).where('key', '=', key).executeTakeFirst();
    return row ? { status: row.status, claimedUntil: row.claimed_until } : null;
  }

  async complete(key: string, outcome: { status: 'sent' | 'captured'; html?: string; text?: string; headers?: Record<string, string> }): Promise<void> {
    await this.db.updateTable('email_log').set({
      status: outcome.status,
      sent_at: sql`now()`,
      updated_at: sql`now()`,
      claimed_until: null,
      error: null,
      html: outcome.html ?? null,
      body_text: outcome.text ?? null,
      headers: outcome.headers ? JSON.stringify(outcome.headers) : null,
    }).where('key', '=', key).execute();
  }

  /** A temporary failure releases the claim at once so the retry can take it. */
  async release(key: string, error: string): Promise<void> {
    await this.db.updateTable('email_log').set({ claimed_until: sql`now() - interval '1 millisecond'`, error, updated_at: sql`now()` })
      .where('key', '=', key).where('status', '=', 'sending').execute();
  }

  async fail(key: string, error: string): Promise<void> {
    await this.db.updateTable('email_log').set({ status: 'failed', claimed_until: null, error, updated_at: sql`now()` })
      .where('key', '=', key).execute();
  }

  list(filter: { status?: EmailStatus; limit: number; offset: number }) {
    let q = this.db.selectFrom('email_log').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
  }

  async count(filter: { status?: EmailStatus }): Promise<number> {
    let q = this.db.selectFrom('email_log').select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.status) q = q.where('status', '=', filter.status);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
