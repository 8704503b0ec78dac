import { sql } from 'kysely';
import pg from 'pg';
import { copyField } from '../platform/db/copy.js';
import { Repository } from '../platform/db/repository.js';
import { monthKey, periodEndOf, type PeriodType } from './analytics.periods.js';
import type { AnalyticsEventInput } from './analytics.schemas.js';

/** Advisory lock namespaces (the two-int form): events partitions DDL, per-day ingestion/rollup. */
export const PARTITION_LOCK = [4_242_101, 0] as const;
export const DAY_LOCK_NS = 4_242_102;

/** Who sent a request's events: the same on every row (copyEvents). */
export interface EventSource {
  /** The signed-in producer's id (null for a keyed producer). */
  userId: string | null;
  userAgent: string | null;
  ip: string | null;
  /** occurred_at of the events sent without one. */
  now: Date;
}

export interface InsertedRange {
  count: number;
  minId: string;
  maxId: string;
  minAt: Date;
  maxAt: Date;
}

const COPY_COLUMNS = 'id, occurred_at, event_type, user_id, session_id, visitor_id, asset_id, project_id, license_id, post_id, brand_id, creator_id, props, '
  + 'revenue_cents, engagement_time, idempotency_key, user_agent, ip';

// The events' identity sequence (one nextval a request's block: idBlock).
const SEQUENCE = `pg_get_serial_sequence('analytics_events', 'id')::regclass`;

const NULL = '\\N';
const { escapeLiteral } = pg;

/**
 * The ids one nextval of the events' identity sequence stands for: the sequence steps by ID_BLOCK
 * from a multiple of it (migration 0029), so its value v reserves v .. v+ID_BLOCK-1 and a request's
 * ids cost one nextval (500 of them cost PostgreSQL 0.68 ms a request). A value that is not a
 * multiple of ID_BLOCK means the sequence was changed (its increment lowered, or set to another
 * value), and its block could hold ids already handed out: that is an error storing nothing, never a
 * guess (docs/OPERATIONS.md, "Analytics event ids"). The value itself is checked, not the increment
 * read beside it: a statement reads the catalog as of its start, and an ALTER committed while it
 * waited for a lock would pass unseen.
 */
export const ID_BLOCK = 512;

export function idBlock(base: string | undefined, count: number): string[] {
  if (count === 0) return [];
  if (base === undefined) throw new Error('idBlock: no ids were reserved');
  if (count > ID_BLOCK) throw new Error(`idBlock: ${count} ids, more than a block of ${ID_BLOCK}`);
  assertBlockStart(base);
  const start = Number(base);
  const exact = Number.isSafeInteger(start + count);
  const ids = new Array<string>(count);
  if (exact) for (let i = 0; i < count; i++) ids[i] = String(start + i);
  else for (let i = 0n, big = BigInt(base); i < count; i++) ids[Number(i)] = (big + i).toString();
  return ids;
}

/** A value of the sequence that does not start a block: an error naming the way to put it right. */
function assertBlockStart(base: string): void {
  const start = Number(base);
  if (Number.isSafeInteger(start) ? start % ID_BLOCK !== 0 : BigInt(base) % BigInt(ID_BLOCK) !== 0n) {
    throw new Error(`idBlock: the events' id sequence gave ${base}, not a multiple of ${ID_BLOCK}: it was changed, see docs/OPERATIONS.md (Analytics event ids)`);
  }
}

/**
 * The blocks a reservation's values (nextvals taken together) may use: all but the highest, and only
 * if every one starts a block. A value taken after the reservation, by anyone, is above the highest
 * however the increment was changed since (lowered by hand, then an INSERT's default taking one
 * value: highest + 100), so it can fall in the unused block only, never in a block used.
 */
export function usableBlocks(values: readonly string[]): string[] {
  values.forEach(assertBlockStart);
  const big = values.map((v) => BigInt(v)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return big.slice(0, -1).map(String);
}

/**
 * The keys as rows to insert, in one order for every request: an insert waits on a key
 * another transaction inserted and has not committed, so two requests must take shared keys in
 * the same order.
 */
const sortedKeys = (keys: readonly string[]) => sql`SELECT k FROM unnest(${keys}::text[]) AS u(k) ORDER BY k COLLATE "C"`;

const partitionName = (month: Date) => `analytics_events_p${monthKey(month)}`;

/** Every SQL statement over the raw events: partitions, ingestion, late-event flags, enrichment, retention. */
export class EventsRepository extends Repository {
  /** Partitions this process knows exist; a miss costs one catalog lookup. */
  private readonly knownPartitions = new Set<string>();

  /**
   * Creates the monthly partitions of `months` (month starts) that do not exist yet. DDL takes a
   * strong lock on the parent table, so it runs only on a cache miss, serialized by an advisory
   * lock, and gives up after a few seconds rather than queue every reader behind it.
   */
  async ensurePartitions(months: readonly Date[]): Promise<void> {
    const missing = months.filter((m) => !this.knownPartitions.has(partitionName(m)));
    if (missing.length === 0) return;
    const names = missing.map(partitionName);
    const existing = await sql<{ name: string }>`SELECT n AS name FROM unnest(${names}::text[]) n WHERE to_regclass(n) IS NOT NULL`.execute(this.db);
    const have = new Set(existing.rows.map((r) => r.name));
    const create = missing.filter((m) => !have.has(partitionName(m)));
    if (create.length) {
      await this.db.transaction().execute(async (tx) => {
        await sql`SET LOCAL lock_timeout = '5s'`.execute(tx);
        await sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK[0]}, ${PARTITION_LOCK[1]})`.execute(tx);
        for (const m of create) {
          const from = sql.lit(m.toISOString());
          const to = sql.lit(periodEndOf('monthly', m).toISOString());
          await sql`CREATE TABLE IF NOT EXISTS ${sql.table(partitionName(m))} PARTITION OF analytics_events FOR VALUES FROM (${from}) TO (${to})`.execute(tx);
        }
      });
    }
    for (const m of missing) this.knownPartitions.add(partitionName(m));
  }

  /**
   * Shared per-day locks for the days a request's events fall on, held until it commits. A rollup
   * takes the same locks exclusively before it marks its period started, so an event is either
   * committed before the rollup reads, or sees the period marked and asks for a re-run.
   * `days` must be sorted: every transaction takes its locks in the same order.
   */
  async lockDaysShared(days: readonly number[]): Promise<void> {
    await sql`SELECT count(pg_advisory_xact_lock_shared(${DAY_LOCK_NS}, d)) FROM unnest(${days}::int[]) d`.execute(this.db);
  }

  /**
   * lockDaysShared's locks as one parameterless statement, for a transaction that sends it with BEGIN
   * (copyTransaction's opening, or ahead of the COPY in copyInOneRoundTrip). Only integers are
   * written into the text.
   */
  static locksStatement(days: readonly number[]): string {
    return `SELECT count(pg_advisory_xact_lock_shared(${DAY_LOCK_NS}, d)) AS n FROM unnest('{${days.map((d) => Math.trunc(d)).join(',')}}'::int[]) d`;
  }

  /**
   * `count` blocks (idBlock) of the events' id sequence, in one statement outside any transaction
   * (IdBlocks keeps them for the requests to come): `count` + 1 nextvals, the highest never used
   * (usableBlocks); an error if any of them does not start a block.
   */
  async reserveIdBlocks(count: number): Promise<string[]> {
    // Durable before any block is used: PostgreSQL logs a sequence 32 values ahead without flushing,
    // and a transaction whose nextvals fall inside that range writes no WAL, so its commit is never
    // flushed. Were the server to crash then, it would come back with the sequence behind blocks this
    // process still holds and hand them out again. A transactional WAL message (no table: a row every
    // process updated serialized all reservations, failed them under repeatable read, and bloated
    // under a long snapshot) gives the transaction WAL of its own, and with synchronous_commit at
    // least `local` its commit flushes the WAL through the sequence's record.
    const result = await sql<{ base: string }>`
      WITH durable AS MATERIALIZED (
        SELECT set_config('synchronous_commit', CASE WHEN current_setting('synchronous_commit') = 'off' THEN 'local' ELSE current_setting('synchronous_commit') END, true) AS commit,
          pg_logical_emit_message(true, 'herald.analytics-id-blocks', '') AS lsn
      )
      SELECT nextval(${sql.raw(SEQUENCE)})::text AS base FROM durable, generate_series(1, ${count + 1}::int)`.execute(this.db);
    // Checked here (idBlock checks each again when used): a reservation the changed sequence spoiled
    // is refused whole, so that none of it waits in IdBlocks to fail a request after a realignment.
    return usableBlocks(result.rows.map((r) => r.base));
  }

  /**
   * Records the keys and reserves the ids of the rows to copy, `unkeyed` plus one a new key, in one
   * statement (a block, idBlock: two nextvals, the lower used, usableBlocks); returns the new keys
   * (the others are duplicates to drop) and the ids. Keys go in sorted (sortedKeys): in a request's order, two requests holding the same keys
   * in other orders each waited for a key the other had inserted, a deadlock answered 500.
   */
  async claimKeysReservingIds(keys: readonly string[], unkeyed: number): Promise<{ claimed: Set<string>; ids: string[] }> {
    const result = await sql<{ keys: string[] | null; bases: string[] }>`
      WITH claimed AS (INSERT INTO analytics_event_keys (key) ${sortedKeys(keys)} ON CONFLICT DO NOTHING RETURNING key)
      SELECT (SELECT array_agg(key) FROM claimed) AS keys, ARRAY(SELECT nextval(${sql.raw(SEQUENCE)})::text FROM generate_series(1, 2)) AS bases`.execute(this.db);
    const row = result.rows[0]!;
    const claimed = new Set(row.keys ?? []);
    const count = unkeyed + claimed.size;
    return { claimed, ids: count === 0 ? [] : idBlock(usableBlocks(row.bases)[0], count) };
  }

  /**
   * A request's events (at least one) as a COPY and its data, for copyAndCommit on the
   * transaction's client, with `ids` (one an event, reserved from the column's identity sequence,
   * what an INSERT would take, so the range is known without RETURNING); the request's user, user
   * agent and IP go on every row. Each row is encoded straight from the validated event. COPY parses
   * plain text and writes the heap in batches, where a jsonb_to_recordset INSERT had PostgreSQL
   * parse the rows' JSON and insert row by row. Texts PostgreSQL cannot store (a NUL, a lone
   * surrogate, which UTF-8 would turn into U+FFFD silently) never get here: validation refuses them
   * (analytics.schemas.ts).
   */
  static eventsCopy(events: readonly AnalyticsEventInput[], ids: readonly string[], from: EventSource): { statement: string; data: string; range: InsertedRange } {
    if (ids.length !== events.length) throw new Error(`eventsCopy: ${ids.length} ids for ${events.length} events`);
    const user = copyField(from.userId);
    const userVisitor = from.userId === null ? NULL : copyField(`u:${from.userId}`);
    const tail = `${copyField(from.userAgent)}\t${copyField(from.ip)}\n`;
    const nowIso = from.now.toISOString();
    const now = from.now.getTime();
    // The event type (EVENT_TYPE) and the entity ids (UUIDs) are validated: nothing in them to escape.
    let data = '';
    let minAt = Infinity;
    let maxAt = -Infinity;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const at = e.occurredAt ? e.occurredAt.getTime() : now;
      if (at < minAt) minAt = at;
      if (at > maxAt) maxAt = at;
      const props = e.props as { revenueCents?: number; engagementTime?: number } | null | undefined;
      const session = e.sessionId ?? null;
      data += `${ids[i]}\t${e.occurredAt ? e.occurredAt.toISOString() : nowIso}\t${e.eventType}\t${user}\t`
        + `${session === null ? `${NULL}\t${userVisitor}` : `${copyField(session)}\t${copyField(`s:${session}`)}`}\t`
        + `${e.assetId ?? NULL}\t${e.projectId ?? NULL}\t${e.licenseId ?? NULL}\t${e.postId ?? NULL}\t${e.brandId ?? NULL}\t${e.creatorId ?? NULL}\t`
        + `${props == null ? NULL : copyField(JSON.stringify(props))}\t${props?.revenueCents ?? 0}\t${props?.engagementTime ?? 0}\t${copyField(e.idempotencyKey)}\t${tail}`;
    }
    return {
      statement: `COPY analytics_events (${COPY_COLUMNS}) FROM STDIN`, data,
      range: { count: events.length, minId: ids[0]!, maxId: ids[ids.length - 1]!, minAt: new Date(minAt), maxAt: new Date(maxAt) },
    };
  }

  /**
   * Of the periods these events fall in, those already rolled up and without a re-run pending:
   * flags them and, if it flagged any, runs the INSERT `enqueue(condition)` gives (the late pass),
   * as one parameterless statement for copyAndCommit (only the period types and ISO instants are
   * written into the text). The flagging is the function analytics_flag_late_periods (migration
   * 0030), whose statement PostgreSQL plans once a connection: written out here, it was planned on
   * every request (0.38 ms, four times its work). Rows are locked in key order, and a concurrent
   * request that flagged one first makes it drop out there, so a burst of late events asks for one
   * re-run per period.
   *
   * It must run in a statement of its own after the day locks (locksStatement): a statement reads the
   * rows as of its start, and the locks' may start before it waits for a rollup's exclusive day
   * lock, so there it would miss the period row that rollup commits (markStarted) and leave these
   * events out of the rollup unflagged. Sent after the COPY, it also holds the rows' locks only for
   * the end of the transaction.
   */
  static lateFlagsStatement(periods: ReadonlyArray<{ type: PeriodType; start: Date }>, enqueue: (condition: string) => string): string {
    const types = periods.map((p) => p.type).join(',');
    const starts = periods.map((p) => p.start.toISOString()).join(',');
    return enqueue(`analytics_flag_late_periods(${escapeLiteral(`{${types}}`)}::text[], ${escapeLiteral(`{${starts}}`)}::timestamptz[])`);
  }

  /** The distinct clients (user agent, IP) of a request's events that are not enriched yet. */
  async pendingClients(range: { fromId: string; toId: string; from: Date; to: Date }): Promise<Array<{ user_agent: string | null; ip: string | null }>> {
    const result = await sql<{ user_agent: string | null; ip: string | null }>`
      SELECT DISTINCT user_agent, host(ip) AS ip FROM analytics_events
      WHERE id BETWEEN ${range.fromId}::bigint AND ${range.toId}::bigint AND occurred_at BETWEEN ${range.from} AND ${range.to} AND enriched_at IS NULL`.execute(this.db);
    return result.rows;
  }

  /** Writes what enrichment found, one UPDATE for all clients of the request; re-running it changes nothing. */
  async saveEnrichment(range: { fromId: string; toId: string; from: Date; to: Date }, values: ReadonlyArray<{ user_agent: string | null; ip: string | null; device_type: string | null; browser: string | null; os: string | null; country: string | null }>): Promise<number> {
    if (values.length === 0) return 0;
    const result = await sql`
      UPDATE analytics_events e SET device_type = v.device_type, browser = v.browser, os = v.os, country = v.country, enriched_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb) AS v(user_agent text, ip inet, device_type text, browser text, os text, country text)
      WHERE e.id BETWEEN ${range.fromId}::bigint AND ${range.toId}::bigint AND e.occurred_at BETWEEN ${range.from} AND ${range.to} AND e.enriched_at IS NULL
        AND e.user_agent IS NOT DISTINCT FROM v.user_agent AND e.ip IS NOT DISTINCT FROM v.ip`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Event partitions that exist, oldest first (month starts). */
  async partitions(): Promise<Date[]> {
    const result = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'analytics_events'::regclass ORDER BY c.relname`.execute(this.db);
    return result.rows.map((r) => /_p(\d{4})(\d{2})$/.exec(r.name)).filter((m) => m !== null)
      .map((m) => new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
  }

  /** Drops a month of raw events (retention); rollups are kept. */
  async dropPartition(month: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL lock_timeout = '5s'`.execute(tx);
      await sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK[0]}, ${PARTITION_LOCK[1]})`.execute(tx);
      await sql`DROP TABLE IF EXISTS ${sql.table(partitionName(month))}`.execute(tx);
    });
    this.knownPartitions.delete(partitionName(month));
  }

  async deleteKeysBefore(at: Date): Promise<number> {
    const result = await this.db.deleteFrom('analytics_event_keys').where('created_at', '<', at).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
