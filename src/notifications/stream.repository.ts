import { sql } from 'kysely';
import type { Executor } from '../platform/db/client.js';

/** A position in a user's stream: a notification's created_at in epoch milliseconds, and its id. */
export interface StreamPoint {
  readonly ms: number;
  readonly id: string;
}

const EVENT_ID = /^(\d{1,15})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const COLUMNS = ['id', 'type', 'title', 'message', 'action_url', 'priority', 'read', 'read_at', 'metadata', 'created_at'] as const;

/** The SSE event id of a notification: `<createdAt epoch ms>_<uuid>`. */
export const eventId = (createdAt: Date | string, id: string): string => `${new Date(createdAt).getTime()}_${id}`;

/** Null for anything that is not one of our event ids: such a client simply gets no replay. */
export function parseEventId(value: unknown): StreamPoint | null {
  const match = typeof value === 'string' ? EVENT_ID.exec(value.trim()) : null;
  return match ? { ms: Number(match[1]), id: match[2]!.toLowerCase() } : null;
}

export class StreamRepository {
  constructor(private readonly db: Executor) {}

  /**
   * The user's notifications after a point, oldest first; when more than `limit` are missing, the
   * newest `limit` (the unread-count that follows tells the client the rest). created_at is
   * truncated to milliseconds on both sides: event ids carry milliseconds, PostgreSQL keeps
   * microseconds, and the last delivered event must compare equal, not greater, to its own id.
   * The untruncated `created_at >=` bound lets the (user_id, …, created_at) index skip older rows.
   */
  async since(userId: string, after: StreamPoint, limit: number) {
    const at = new Date(after.ms);
    const rows = await this.db.selectFrom('notifications').select(COLUMNS)
      .where('user_id', '=', userId)
      .where('created_at', '>=', at)
      .where(sql<boolean>`(date_trunc('milliseconds', created_at), id) > (${at}::timestamptz, ${after.id}::uuid)`)
      .orderBy(sql`date_trunc('milliseconds', created_at)`, 'desc').orderBy('id', 'desc')
      .limit(limit).execute();
    return rows.reverse();
  }
}
