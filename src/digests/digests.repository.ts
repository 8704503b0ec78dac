import { sql } from 'kysely';
import type { Executor } from '../platform/db/client.js';
import type { DigestOutcome } from '../platform/db/schema.js';
import type { NotificationRow } from '../notifications/inbox.reads.js';
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

export class DigestsRepository {
  constructor(private readonly db: Executor) {}

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

  /** Users of the job still due a digest: email on, and on this frequency unless flushing. */
  async targets(userIds: readonly string[], frequency: DigestKind, flush: boolean): Promise<DigestTarget[]> {
    const result = await sql<DigestTarget>`
      SELECT u.id AS user_id, u.email, u.name FROM users u JOIN notification_preferences p ON p.user_id = u.id
      WHERE u.id = ANY(${userIds}::uuid[]) AND p.email_enabled AND (${flush} OR p.digest_frequency = ${frequency}::digest_frequency)`.execute(this.db);
    return result.rows;
  }

  /**
   * For every user at once: unread notifications of enabled types that arrived in
   * (last digest or runAt − span, runAt], newest first, at most `limit` each, leaving out any
   * already emailed on its own (sent while the user was on IMMEDIATE, or critical).
   */
  async items(userIds: readonly string[], runAt: Date, spanMs: number, limit: number): Promise<DigestItem[]> {
    if (userIds.length === 0) return [];
    const result = await sql<DigestItem>`
      SELECT user_id, id, type, title, message, action_url, priority, created_at, total FROM (
        SELECT n.user_id, n.id, n.type, n.title, n.message, n.action_url, n.priority, n.created_at,
               count(*) OVER w::int AS total, row_number() OVER (w ORDER BY n.created_at DESC, n.id DESC) AS rn
        FROM notification_preferences p
        JOIN notifications n ON n.user_id = p.user_id AND n.read = false AND n.type::text = ANY(p.enabled_types)
          AND n.created_at > coalesce(p.last_digest_sent_at, ${runAt}::timestamptz - ${spanMs} * interval '1 millisecond')
          AND n.created_at <= ${runAt}
        WHERE p.user_id = ANY(${userIds}::uuid[])
          AND NOT EXISTS (SELECT 1 FROM email_log e WHERE e.key = 'notification:' || n.id AND e.status IN ('sent', 'captured'))
        WINDOW w AS (PARTITION BY n.user_id)
      ) x WHERE rn <= ${limit}
      ORDER BY user_id, created_at DESC, id DESC`.execute(this.db);
    return result.rows;
  }

  /** After the emails went out (or were found already sent): each window closes at runAt, never earlier. */
  async recordSent(userIds: readonly string[], runAt: Date): Promise<void> {
    if (userIds.length === 0) return;
    await this.db.updateTable('notification_preferences').set({ last_digest_sent_at: runAt, updated_at: sql`now()` })
      .where('user_id', 'in', userIds)
      .where((eb) => eb.or([eb('last_digest_sent_at', 'is', null), eb('last_digest_sent_at', '<', runAt)]))
      .execute();
  }

  /** Idempotent per run and user; a retry never turns a sent digest into an empty one. */
  async recordOutcomes(runId: string, outcomes: ReadonlyArray<{ userId: string; outcome: DigestOutcome; items: number }>): Promise<void> {
    if (outcomes.length === 0) return;
    await sql`
      INSERT INTO digest_deliveries (run_id, user_id, outcome, items)
      SELECT ${runId}::uuid, u, o, i FROM unnest(${outcomes.map((o) => o.userId)}::uuid[], ${outcomes.map((o) => o.outcome)}::text[], ${outcomes.map((o) => o.items)}::int[]) AS t(u, o, i)
      ON CONFLICT (run_id, user_id) DO UPDATE SET outcome = excluded.outcome, items = excluded.items, updated_at = now()
        WHERE digest_deliveries.outcome NOT IN ('sent', 'captured', 'already-sent')`.execute(this.db);
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
