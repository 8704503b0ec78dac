import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { DigestOutcome } from '../platform/db/schema.js';
import type { NotificationRow } from '../notifications/index.js';
import type { DigestKind } from './digest.time.js';

export interface DigestRecipient {
  user_id: string;
  timezone: string | null;
}

/** A user a digest job will write to: still on this frequency (or flushing) with email on. */
export interface DigestTarget {
  user_id: string;
  email: string;
  name: string | null;
}

export interface DigestItem extends Pick<NotificationRow, 'id' | 'type' | 'title' | 'message' | 'action_url' | 'priority' | 'created_at'> {
  user_id: string;
  /** How many items the user has in the window (the rows returned stop at the per-user limit). */
  total: number;
}

export class DigestsRepository extends Repository {
  createRun(run: { frequency: DigestKind; runAt: Date; scope: 'utc' | 'zoned' | 'all'; trigger: 'schedule' | 'manual' }) {
    return this.db.insertInto('digest_runs').values({ frequency: run.frequency, run_at: run.runAt, scope: run.scope, trigger: run.trigger })
      .returning('id').executeTakeFirstOrThrow();
  }

  async finishRun(id: string, p: { scanned: number; error?: string }): Promise<void> {
    await this.db.updateTable('digest_runs').set({
      users_scanned: p.scanned, status: p.error ? 'failed' : 'completed', error: p.error ?? null, completed_at: sql`now()`,
    }).where('id', '=', id).execute();
  }

  /**
   * One page of a run's recipients: users of the frequency with email on, in id order. `utc`
   * takes users without a time zone; `zoned` those whose local clock reads 09:00–09:14 at runAt
   * (Monday for weekly); `all` everyone (a manual run).
   */
  async recipientsPage(p: { frequency: DigestKind; scope: 'utc' | 'zoned' | 'all'; runAt: Date; after: string | null; limit: number }): Promise<DigestRecipient[]> {
    const local = sql`(${p.runAt}::timestamptz AT TIME ZONE timezone)`;
    const result = await sql<DigestRecipient>`
      SELECT user_id, timezone FROM notification_preferences
      WHERE digest_frequency = ${p.frequency}::digest_frequency AND email_enabled
        AND (${p.after}::uuid IS NULL OR user_id > ${p.after}::uuid)
        AND ${p.scope === 'utc' ? sql`timezone IS NULL`
          : p.scope === 'zoned' ? sql`timezone IS NOT NULL AND extract(hour FROM ${local}) = 9 AND extract(minute FROM ${local}) < 15
              AND (${p.frequency} = 'DAILY' OR extract(isodow FROM ${local}) = 1)`
          : sql`true`}
      ORDER BY user_id LIMIT ${p.limit}`.execute(this.db);
    return result.rows;
  }

  /**
   * Users of the job still due a digest (email on, and on this frequency unless flushing), their
   * preference rows locked in id order: every send for a user (runs, re-runs, retries, the flush
   * of a frequency switch) claims and moves the cursor one at a time.
   */
  async lockTargets(userIds: readonly string[], frequency: DigestKind, flush: boolean): Promise<DigestTarget[]> {
    const result = await sql<DigestTarget>`
      SELECT u.id AS user_id, u.email, u.name FROM notification_preferences p JOIN users u ON u.id = p.user_id
      WHERE p.user_id = ANY(${userIds}::uuid[]) AND p.email_enabled AND (${flush} OR p.digest_frequency = ${frequency}::digest_frequency)
      ORDER BY p.user_id FOR UPDATE OF p`.execute(this.db);
    return result.rows;
  }

  /** The next transaction id (pg_snapshot_xmax): every transaction begun so far is below it. */
  async nextXid(): Promise<string> {
    return (await sql<{ x: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`.execute(this.db)).rows[0]!.x;
  }

  /**
   * Where a digest's range ends. Normally herald_xid_horizon() (migration 0012): every transaction
   * below it has finished, so the range holds no row that commits later. A flush (the user left
   * DAILY/WEEKLY) of a job without `until` (written before that field) takes every row visible
   * now, up to the next transaction id; one with `until` waits for the horizon to pass it and ends
   * there (digests.service.ts: a row still in flight whose user went back to DAILY before its
   * delivery would be in no digest otherwise). A statement of its own, before the reads.
   */
  async rangeEnd(flush: boolean): Promise<string> {
    if (flush) return this.nextXid();
    return (await sql<{ h: string }>`SELECT herald_xid_horizon()::text AS h`.execute(this.db)).rows[0]!.h;
  }

  /**
   * Fixes the content of each user's digest of its period, unless the period already has one (a
   * retry or re-run: the same content, cursor untouched) or its email already exists (sent before
   * contents were recorded). The content is [cursor, to) in transaction order, `to` being the
   * horizon, or earlier: the first notification dated after runAt (a run "as of" a past instant
   * leaves later ones to the next digest rather than skipping them). The cursor moves to `to` in
   * the same statement. Users locked by lockTargets, horizon read in an earlier statement.
   */
  async claimContents(p: { users: ReadonlyArray<{ userId: string; periodKey: string }>; frequency: DigestKind; runAt: Date; spanMs: number; horizon: string; ownerJob: string | null }): Promise<void> {
    if (p.users.length === 0) return;
    const ids = p.users.map((u) => u.userId);
    const keys = p.users.map((u) => u.periodKey);
    // A retry never comes this late; older contents only take space. Each user's rows are found
    // through the primary key, whatever the statistics say: `user_id = ANY(...)` on a table not yet
    // analyzed (a first run, autovacuum off) was planned as a scan of the whole table per batch.
    await sql`
      DELETE FROM digest_contents WHERE ctid = ANY(ARRAY(
        SELECT old.ctid FROM unnest(${ids}::uuid[]) AS b(user_id) CROSS JOIN LATERAL (
          SELECT c.ctid FROM digest_contents c WHERE c.user_id = b.user_id AND c.created_at < now() - interval '35 days' LIMIT 1000) old))`.execute(this.db);
    await sql`
      WITH batch AS (SELECT * FROM unnest(${ids}::uuid[], ${keys}::text[]) AS t(user_id, period_key)),
      fresh AS (
        INSERT INTO digest_contents (user_id, period_key, frequency, from_xid, from_time, to_xid, run_at, owner_job)
        SELECT b.user_id, b.period_key, ${p.frequency}::digest_frequency, pr.digest_cursor,
          CASE WHEN pr.digest_cursor IS NULL THEN coalesce(pr.last_digest_sent_at, ${p.runAt}::timestamptz - ${p.spanMs} * interval '1 millisecond') END,
          least(${p.horizon}::xid8, coalesce((
            SELECT min(n.xid) FROM notifications n
            WHERE n.user_id = b.user_id AND n.xid >= coalesce(pr.digest_cursor, '0'::xid8) AND n.created_at > ${p.runAt}), ${p.horizon}::xid8)),
          ${p.runAt}, ${p.ownerJob}
        FROM batch b JOIN notification_preferences pr ON pr.user_id = b.user_id
        WHERE NOT EXISTS (SELECT 1 FROM email_log e WHERE e.key = 'digest:' || b.user_id || ':' || b.period_key)
        ON CONFLICT (user_id, period_key) DO NOTHING
        RETURNING user_id, to_xid
      )
      UPDATE notification_preferences pr SET digest_cursor = greatest(coalesce(pr.digest_cursor, '0'::xid8), f.to_xid), updated_at = now()
      FROM fresh f WHERE pr.user_id = f.user_id`.execute(this.db);
  }

  /**
   * The recorded content of each (user, period): unread notifications of enabled types in its
   * range that the inbox shows now, newest first, at most `limit` each, leaving out any emailed on its own: critical ones
   * (always), and any with an email_log row (sent, being sent, or reserved by a delivery job that
   * decided to send it: DeliveryService.reserve). `run_at` is the digest's own instant.
   */
  async items(users: ReadonlyArray<{ userId: string; periodKey: string }>, limit: number): Promise<DigestItem[]> {
    if (users.length === 0) return [];
    const result = await sql<DigestItem>`
      WITH c AS (${contentsOf(users, sql`c.*`)})
      ${itemsOf(limit)}
      ORDER BY user_id, created_at DESC, id DESC`.execute(this.db);
    return result.rows;
  }

  /**
   * The users of the job whose period has recorded content, with the digest's instant, and whether
   * another job fixed it and is still unfinished (its outbox row open): that job sends it.
   */
  async claimed(users: ReadonlyArray<{ userId: string; periodKey: string }>, jobId: string | null): Promise<Map<string, { runAt: Date; ownerBusy: boolean }>> {
    if (users.length === 0) return new Map();
    const result = await sql<{ user_id: string; run_at: Date; owner_busy: boolean }>`${contentsOf(users, sql`c.user_id, c.run_at, ${ownerBusy(jobId)} AS owner_busy`)}`.execute(this.db);
    return new Map(result.rows.map((r) => [r.user_id, { runAt: r.run_at, ownerBusy: r.owner_busy }]));
  }

  /** claimed() and items() in one statement (one snapshot): what a job's send reads after fixing its contents. */
  async claimedWithItems(users: ReadonlyArray<{ userId: string; periodKey: string }>, jobId: string | null, limit: number): Promise<{ claimed: Map<string, { runAt: Date; ownerBusy: boolean }>; items: DigestItem[] }> {
    if (users.length === 0) return { claimed: new Map(), items: [] };
    type Row = { owner_user: string; run_at: Date; owner_busy: boolean } & { [K in keyof DigestItem]: DigestItem[K] | null };
    const result = await sql<Row>`
      WITH c AS (${contentsOf(users, sql`c.*, ${ownerBusy(jobId)} AS owner_busy`)}), i AS (${itemsOf(limit)})
      SELECT c.user_id AS owner_user, c.run_at, c.owner_busy, i.* FROM c LEFT JOIN i ON i.user_id = c.user_id
      ORDER BY c.user_id, i.created_at DESC, i.id DESC`.execute(this.db);
    const claimed = new Map<string, { runAt: Date; ownerBusy: boolean }>();
    const items: DigestItem[] = [];
    for (const { owner_user, run_at, owner_busy, ...item } of result.rows) {
      claimed.set(owner_user, { runAt: run_at, ownerBusy: owner_busy });
      if (item.id !== null) items.push(item as DigestItem);
    }
    return { claimed, items };
  }

  /** lastDigestSentAt (shown to the user) after the emails went out or were found sent; never earlier. */
  async recordSent(sent: ReadonlyArray<{ userId: string; at: Date }>): Promise<void> {
    if (sent.length === 0) return;
    await sentUpdate(sent).execute(this.db);
  }

  /** Idempotent per run and user; a retry never turns a sent digest into an empty one. */
  async recordOutcomes(runId: string, outcomes: ReadonlyArray<{ userId: string; outcome: DigestOutcome; items: number }>): Promise<void> {
    if (outcomes.length === 0) return;
    await outcomesInsert(runId, outcomes).execute(this.db);
  }

  /** recordSent and (with a run) recordOutcomes, in one statement when both have rows. */
  async recordDone(runId: string | null, sent: ReadonlyArray<{ userId: string; at: Date }>, outcomes: ReadonlyArray<{ userId: string; outcome: DigestOutcome; items: number }>): Promise<void> {
    if (runId === null || outcomes.length === 0) return this.recordSent(sent);
    if (sent.length === 0) return this.recordOutcomes(runId, outcomes);
    await sql`WITH sent AS (${sentUpdate(sent)}) ${outcomesInsert(runId, outcomes)}`.execute(this.db);
  }

  lastRun(frequency: DigestKind) {
    return this.db.selectFrom('digest_runs').select(['id', 'run_at', 'status', 'started_at', 'completed_at', 'users_scanned'])
      .where('frequency', '=', frequency).where('scope', 'in', ['utc', 'all'])
      .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  }

  async outcomes(runId: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('digest_deliveries').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId).groupBy('outcome').execute();
    return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
  }

  findRun(id: string) {
    return this.db.selectFrom('digest_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

type Users = ReadonlyArray<{ userId: string; periodKey: string }>;

/** The recorded contents of these (user, period) pairs, as `c`, with the columns `columns`. */
const contentsOf = (users: Users, columns: RawBuilder<unknown>) => sql`
  SELECT ${columns} FROM unnest(${users.map((u) => u.userId)}::uuid[], ${users.map((u) => u.periodKey)}::text[]) AS b(user_id, period_key)
  JOIN digest_contents c ON c.user_id = b.user_id AND c.period_key = b.period_key`;

/** Whether another job than `jobId` fixed the content `c` and is still unfinished (its outbox row open). */
const ownerBusy = (jobId: string | null) => sql`(c.owner_job IS DISTINCT FROM ${jobId}::text AND EXISTS (
  SELECT 1 FROM outbox o WHERE o.id = (CASE WHEN c.owner_job ~ '^outbox-[0-9]{1,18}$' THEN substr(c.owner_job, 8)::bigint END)
    AND o.completed_at IS NULL AND o.failed_at IS NULL))`;

/** The items of the contents in the CTE `c` (see DigestsRepository.items), at most `limit` a user. */
const itemsOf = (limit: number) => sql`
  SELECT user_id, id, type, title, message, action_url, priority, created_at, total FROM (
    SELECT c.user_id, n.id, n.type, n.title, n.message, n.action_url, n.priority, n.created_at,
           count(*) OVER w::int AS total, row_number() OVER (w ORDER BY n.created_at DESC, n.id DESC) AS rn
    FROM c
    JOIN notification_preferences p ON p.user_id = c.user_id
    -- A range scan of (user_id, xid); a first digest (no from_xid) is bounded by time instead.
    JOIN notifications n ON n.user_id = c.user_id AND n.xid >= coalesce(c.from_xid, '0'::xid8) AND n.xid < c.to_xid
      AND (c.from_xid IS NOT NULL OR n.created_at > c.from_time)
      AND n.read = false AND n.type::text = ANY(p.enabled_types) AND NOT n.critical
      -- Only what the inbox shows now (issue 17): not archived, not snoozed into the future, not
      -- expired (the inbox's VISIBLE). A snooze that ends later does not bring it into a later
      -- digest: the cursor has moved past it, and the user gets it back in the inbox.
      AND n.archived_at IS NULL AND (n.snoozed_until IS NULL OR n.snoozed_until <= now()) AND (n.expires_at IS NULL OR n.expires_at > now())
    -- Any claim counts: an email of its own in flight (the user just left DAILY) is not repeated.
    WHERE NOT EXISTS (SELECT 1 FROM email_log e WHERE e.key = 'notification:' || n.id)
    WINDOW w AS (PARTITION BY c.user_id)
  ) x WHERE rn <= ${limit}`;

const sentUpdate = (sent: ReadonlyArray<{ userId: string; at: Date }>) => sql`
  UPDATE notification_preferences p SET last_digest_sent_at = t.at, updated_at = now()
  FROM unnest(${sent.map((s) => s.userId)}::uuid[], ${sent.map((s) => s.at)}::timestamptz[]) AS t(user_id, at)
  WHERE p.user_id = t.user_id AND (p.last_digest_sent_at IS NULL OR p.last_digest_sent_at < t.at)`;

const outcomesInsert = (runId: string, outcomes: ReadonlyArray<{ userId: string; outcome: DigestOutcome; items: number }>) => sql`
  INSERT INTO digest_deliveries (run_id, user_id, outcome, items)
  SELECT ${runId}::uuid, u, o, i FROM unnest(${outcomes.map((o) => o.userId)}::uuid[], ${outcomes.map((o) => o.outcome)}::text[], ${outcomes.map((o) => o.items)}::int[]) AS t(u, o, i)
  ON CONFLICT (run_id, user_id) DO UPDATE SET outcome = excluded.outcome, items = excluded.items, updated_at = now()
    WHERE digest_deliveries.outcome NOT IN ('sent', 'captured', 'already-sent')`;
