import { sql } from 'kysely';
import type { Executor } from '../platform/db/client.js';
import type { DigestFrequency, NotificationType } from '../platform/db/schema.js';
import type { NotificationRow } from './inbox.reads.js';

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
}

export class DeliveryRepository {
  constructor(private readonly db: Executor) {}

  /** The notifications of one delivery job with their recipients and preferences, in one query. */
  async load(ids: readonly string[]): Promise<DeliveryRow[]> {
    if (ids.length === 0) return [];
    const result = await sql<DeliveryRow>`
      SELECT n.id, n.user_id, n.type, n.title, n.message, n.action_url, n.priority, n.read, n.read_at, n.metadata,
             n.critical, n.created_at, u.email, u.name, p.enabled_types, p.digest_frequency, p.email_enabled,
             n.xid::text AS xid, p.digest_cursor::text AS digest_cursor
      FROM notifications n
      JOIN users u ON u.id = n.user_id
      LEFT JOIN notification_preferences p ON p.user_id = n.user_id
      WHERE n.id = ANY(${ids}::uuid[])
      ORDER BY n.created_at, n.id`.execute(this.db);
    return result.rows;
  }
}
