import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import { NOTIFICATION_COLUMNS, VISIBLE } from './inbox.repository.js';

/**
 * Where a reconnecting client resumes. `cursor` (issue 16, point 8): every notification of the user
 * whose inserting transaction id (notifications.xid) is below `cursor` was sent to it, and `lastId`
 * is the last event it got. `time`: an event id of the previous format (created_at milliseconds and
 * id), still accepted so that clients holding one lose nothing when the server is upgraded.
 */
export type StreamPoint =
  | { readonly kind: 'cursor'; readonly cursor: string; readonly lastId: string }
  | { readonly kind: 'time'; readonly ms: number; readonly id: string };

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const CURSOR_ID = new RegExp(`^c(\\d{1,20})_${UUID}$`, 'i');
const TIME_ID = new RegExp(`^(\\d{1,15})_${UUID}$`, 'i');

/**
 * The SSE event id of a notification sent on a stream whose cursor is `cursor`: `c<cursor>_<uuid>`.
 * Not the notification's own position: created_at (the start of its transaction) and even its
 * transaction id say nothing about rows that commit later, so a client that saw a newer URGENT item
 * would skip an older fan-out row on reconnect. Clients send back the last id they got, opaquely.
 */
export const eventId = (cursor: string, id: string): string => `c${cursor}_${id}`;

/** The previous format, `<created_at epoch ms>_<uuid>` (for tests of the upgrade path). */
export const legacyEventId = (createdAt: Date | string, id: string): string => `${new Date(createdAt).getTime()}_${id}`;

/** Null for anything that is not one of our event ids: such a client simply gets no replay. */
export function parseEventId(value: unknown): StreamPoint | null {
  const text = typeof value === 'string' ? value.trim() : '';
  const cursor = CURSOR_ID.exec(text);
  if (cursor && BigInt(cursor[1]!) < 2n ** 64n) return { kind: 'cursor', cursor: BigInt(cursor[1]!).toString(), lastId: cursor[2]!.toLowerCase() };
  const time = TIME_ID.exec(text);
  return time ? { kind: 'time', ms: Number(time[1]), id: time[2]!.toLowerCase() } : null;
}

export class StreamRepository extends Repository {
  /**
   * A stream's new cursor (herald_xid_horizon, migration 0012): every transaction below it has
   * finished. Read it before the replay, in a statement of its own: the replay then sees every row
   * below it, and any row not yet visible lands at or above it, so the next replay sends it.
   */
  async horizon(): Promise<string> {
    const result = await sql<{ h: string }>`SELECT herald_xid_horizon()::text AS h`.execute(this.db);
    return result.rows[0]!.h;
  }

  /**
   * The user's notifications after a point, oldest first; when more than `limit` are missing, the
   * newest `limit`. After a cursor: every row at or above it but the last one the client got (the
   * rest of what it saw live may come again; clients drop ids they have). After a legacy id: by
   * created_at truncated to milliseconds, as that format was written.
   */
  async since(userId: string, after: StreamPoint, limit: number) {
    // Only what the feed shows: an archived, snoozed or expired row is not replayed as new.
    let query = this.db.selectFrom('notifications').select(NOTIFICATION_COLUMNS).where('user_id', '=', userId)
      .where('archived_at', 'is', null).where(sql<boolean>`${sql.raw(VISIBLE)}`);
    if (after.kind === 'cursor') {
      query = query.where('xid', '>=', sql<string>`${after.cursor}::xid8`).where('id', '<>', after.lastId);
    } else {
      const at = new Date(after.ms);
      query = query.where('created_at', '>=', at).where(sql<boolean>`(date_trunc('milliseconds', created_at), id) > (${at}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await query.orderBy(sql`date_trunc('milliseconds', created_at)`, 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.reverse();
  }
}
