import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { SuppressionReason } from '../platform/db/schema.delivery.js';

export interface SuppressionRecord {
  readonly email: string;
  readonly reason: SuppressionReason;
  readonly source: string;
  readonly detail: string | null;
  readonly messageId: string | null;
  readonly userId: string | null;
}

const COLUMNS = ['email', 'reason', 'source', 'detail', 'message_id', 'user_id', 'created_at'] as const;

/** Every SQL statement on email_suppressions (the send-time check lives in the email log's claim). */
export class SuppressionsRepository extends Repository {
  /**
   * One statement (concurrent reports cannot both read "absent"): inserts the address, or upgrades
   * a hard bounce to a complaint, the only change a later report makes: the first report stands
   * (a second hard bounce adds nothing, a hard bounce after a complaint does not soften it), but a
   * complaint is the person's own word and the one an admin must see before lifting. Returns null
   * when the row was left as it was; `created` is false for an upgrade. A user id that no longer
   * exists is stored as null rather than failing the caller's transaction on the foreign key.
   */
  async upsert(r: SuppressionRecord): Promise<{ created: boolean; reason: SuppressionReason } | null> {
    const result = await sql<{ created: boolean; reason: SuppressionReason }>`
      INSERT INTO email_suppressions (email, reason, source, detail, message_id, user_id)
      VALUES (${r.email}, ${r.reason}, ${r.source}, ${r.detail}, ${r.messageId}, (SELECT id FROM users WHERE id = ${r.userId}::uuid))
      ON CONFLICT (email) DO UPDATE
        SET reason = excluded.reason, source = excluded.source, detail = excluded.detail,
            message_id = coalesce(excluded.message_id, email_suppressions.message_id),
            user_id = coalesce(excluded.user_id, email_suppressions.user_id)
        WHERE email_suppressions.reason = 'hard-bounce' AND excluded.reason = 'complaint'
      RETURNING (xmax = 0) AS created, reason`.execute(this.db);
    return result.rows[0] ?? null;
  }

  /** Deletes the address's row and returns it; null when it was not suppressed (or a concurrent lift got it). */
  remove(email: string) {
    return this.db.deleteFrom('email_suppressions').where('email', '=', email).returning(COLUMNS).executeTakeFirst();
  }

  find(email: string) {
    return this.db.selectFrom('email_suppressions').select(COLUMNS).where('email', '=', email).executeTakeFirst();
  }

  /** The admin list, newest first; `q` a case-insensitive substring (the trigram index serves it). Lag-tolerant. */
  list(filter: { q?: string; limit: number; offset: number }) {
    let query = this.readDb.selectFrom('email_suppressions').select(COLUMNS);
    if (filter.q) query = query.where('email', 'like', `%${escapeLike(filter.q.toLowerCase())}%`);
    return query.orderBy('created_at', 'desc').orderBy('email').limit(filter.limit).offset(filter.offset).execute();
  }

  async count(filter: { q?: string }): Promise<number> {
    let query = this.readDb.selectFrom('email_suppressions').select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.q) query = query.where('email', 'like', `%${escapeLike(filter.q.toLowerCase())}%`);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}

/** `%` and `_` in the search text are literal characters (PostgreSQL's default LIKE escape is `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
