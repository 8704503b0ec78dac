import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { DigestFrequency, NotificationType } from '../platform/db/schema.js';
import type { NotificationRow } from './inbox.repository.js';

export interface DeliveryRow extends NotificationRow {
  user_id: string;
  critical: boolean;
  email: string;
  name: string | null;
  enabled_types: NotificationType[] | null;
  digest_frequency: DigestFrequency | null;
  email_enabled: boolean | null;
  /** The inserting transaction (xid8 as text) and the user's digest cursor: below it, a digest has the row. */
  xid: string;
  digest_cursor: string | null;
  /** An email of its own was reserved or claimed and is not finished: no digest will have it. */
  claim_open: boolean;
  /** The user's zone (null: UTC) and quiet hours ('HH:MM:SS', both null when off). */
  timezone: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
}

/** A user's preferences as they are under the row's share lock (see reserve). */
export interface LockedPreferences {
  user_id: string;
  enabled_types: NotificationType[];
  digest_frequency: DigestFrequency;
  email_enabled: boolean;
  digest_cursor: string | null;
}

/** The email_log row a delivery job reserves for a notification it decided to email. */
export interface Reservation {
  key: string;
  notificationId: string;
  userId: string;
  to: string;
  subject: string;
  messageId: string;
}

export class DeliveryRepository extends Repository {
  /** The notifications of one delivery job with their recipients and preferences, in one query. */
  async load(ids: readonly string[]): Promise<DeliveryRow[]> {
    if (ids.length === 0) return [];
    const result = await sql<DeliveryRow>`
      SELECT n.id, n.user_id, n.type, n.title, n.message, n.action_url, n.priority, n.read, n.read_at, n.metadata,
             n.seen_at, n.archived_at, n.snoozed_until, n.expires_at,
             n.critical, n.created_at, u.email, u.name, p.enabled_types, p.digest_frequency, p.email_enabled,
             n.xid::text AS xid, p.digest_cursor::text AS digest_cursor, p.timezone, p.quiet_start::text AS quiet_start, p.quiet_end::text AS quiet_end,
             EXISTS (SELECT 1 FROM email_log e WHERE e.key = 'notification:' || n.id AND e.status = 'sending') AS claim_open
      FROM notifications n
      JOIN users u ON u.id = n.user_id
      LEFT JOIN notification_preferences p ON p.user_id = n.user_id
      WHERE n.id = ANY(${ids}::uuid[])
      ORDER BY n.created_at, n.id`.execute(this.db);
    return result.rows;
  }

  /**
   * Reserves the emails a delivery job decided to send (issue 16, point 7): an email_log row in
   * the state of a released claim ('sending', lease already over, no token, 0 attempts), which the
   * first sendOnce takes like any claim. A digest leaves out every notification with such a row.
   * Keys in order (two jobs of one notification never deadlock); returns the keys inserted here.
   */
  async reserve(emails: readonly Reservation[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const sorted = [...emails].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const result = await sql<{ key: string }>`
      INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, attempts, claimed_until)
      SELECT r.key, 'notification', r.notification_id, r.user_id, r.to_address, r.subject, 'sending', r.message_id, 0, now() - interval '1 millisecond'
      FROM unnest(${sorted.map((e) => e.key)}::text[], ${sorted.map((e) => e.notificationId)}::uuid[], ${sorted.map((e) => e.userId)}::uuid[],
                  ${sorted.map((e) => e.to)}::text[], ${sorted.map((e) => e.subject)}::text[], ${sorted.map((e) => e.messageId)}::text[])
        WITH ORDINALITY AS r(key, notification_id, user_id, to_address, subject, message_id, i)
      ORDER BY r.i
      ON CONFLICT (key) DO NOTHING
      RETURNING key`.execute(this.db);
    return new Set(result.rows.map((r) => r.key));
  }

  /**
   * The users' preference rows under a share lock, in id order (as lockTargets takes them for
   * update): a digest or flush that has not moved a cursor yet waits for this transaction, and one
   * that has is seen here. In the transaction of reserve, after it.
   */
  async lockPreferences(userIds: readonly string[]): Promise<Map<string, LockedPreferences>> {
    if (userIds.length === 0) return new Map();
    const result = await sql<LockedPreferences>`
      SELECT user_id, enabled_types, digest_frequency, email_enabled, digest_cursor::text AS digest_cursor
      FROM notification_preferences WHERE user_id = ANY(${[...new Set(userIds)]}::uuid[])
      ORDER BY user_id FOR SHARE`.execute(this.db);
    return new Map(result.rows.map((r) => [r.user_id, r]));
  }

  /** Takes back reservations made in this transaction (not yet visible to anyone). */
  async unreserve(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await sql`DELETE FROM email_log WHERE key = ANY(${keys}::text[]) AND attempts = 0 AND claim_token IS NULL`.execute(this.db);
  }
}
