import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { DigestFrequency } from '../platform/db/schema.js';
import { isId } from '../platform/http/validation.js';
import { digestEmailKey } from './digests.service.js';

/** A digest whose window covered a notification, for the admin's message timeline. */
export interface DigestCovering {
  readonly periodKey: string;
  readonly frequency: DigestFrequency;
  readonly runAt: Date;
  /** Its email_log key: the email, if any went out, is found by it. */
  readonly emailKey: string;
}

/**
 * Which digests' windows held a notification. digest_contents fixes each digest's window
 * ([from_xid, to_xid) of the user's notifications, kept 35 days), not its items: one read, archived,
 * emailed on its own or of a disabled type when the digest was sent was left out of it (the
 * notification's other stages tell which). The same range as DigestsRepository.items.
 */
export class DigestHistoryRepository extends Repository {
  async covering(notificationId: string): Promise<DigestCovering[]> {
    if (!isId(notificationId)) return [];
    const result = await sql<{ user_id: string; period_key: string; frequency: DigestFrequency; run_at: Date }>`
      SELECT c.user_id, c.period_key, c.frequency, c.run_at
      FROM notifications n
      JOIN digest_contents c ON c.user_id = n.user_id AND n.xid >= coalesce(c.from_xid, '0'::xid8) AND n.xid < c.to_xid
        AND (c.from_xid IS NOT NULL OR n.created_at > c.from_time)
      WHERE n.id = ${notificationId}::uuid
      ORDER BY c.run_at`.execute(this.db);
    return result.rows.map((r) => ({ periodKey: r.period_key, frequency: r.frequency, runAt: r.run_at, emailKey: digestEmailKey(r.user_id, r.period_key) }));
  }
}
