import { sql } from 'kysely';
import type { Executor } from '../platform/db/client.js';
import type { DigestFrequency, DigestOutcome, NotificationPriority, NotificationType } from '../platform/db/schema.js';
import type { DigestKind } from './digest.time.js';

export interface DigestRecipient {
  user_id: string;
  timezone: string | null;
}

export interface DigestUser {
  email: string;
  name: string | null;
  digest_frequency: DigestFrequency;
  email_enabled: boolean;
  enabled_types: NotificationType[];
  last_digest_sent_at: Date | null;
  timezone: string | null;
}

export interface DigestItem {
  id: string;
  type: NotificationType;
  title: string;
  message: string;
  action_url: string | null;
  priority: NotificationPriority;
  created_at: Date;
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

  findUser(userId: string): Promise<DigestUser | undefined> {
    return this.db.selectFrom('users as u').innerJoin('notification_preferences as p', 'p.user_id', 'u.id')
      .select(['u.email', 'u.name', 'p.digest_frequency', 'p.email_enabled', 'p.enabled_types', 'p.last_digest_sent_at', 'p.timezone'])
      .where('u.id', '=', userId).executeTakeFirst();
  }

  /**
   * Unread notifications of enabled types that arrived in (from, to], newest first, leaving out
   * any already emailed on its own (sent while the user was on IMMEDIATE, or critical).
   */
  async items(userId: string, types: readonly NotificationType[], from: Date, to: Date, limit: number): Promise<{ items: DigestItem[]; total: number }> {
    if (types.length === 0) return { items: [], total: 0 };
    const result = await sql<DigestItem & { total: number }>`
      SELECT n.id, n.type, n.title, n.message, n.action_url, n.priority, n.created_at, count(*) OVER ()::int AS total
      FROM notifications n
      WHERE n.user_id = ${userId} AND n.read = false AND n.type = ANY(${types}::notification_type[])
        AND n.created_at > ${from} AND n.created_at <= ${to}
        AND NOT EXISTS (SELECT 1 FROM email_log e WHERE e.key = 'notification:' || n.id AND e.status IN ('sent', 'captured'))
      ORDER BY n.created_at DESC, n.id DESC LIMIT ${limit}`.execute(this.db);
    return { items: result.rows, total: result.rows[0]?.total ?? 0 };
  }

  /** After the email went out (or was found already sent): the window closes at runAt, never earlier. */
  async recordSent(userId: string, runAt: Date): Promise<void> {
    await this.db.updateTable('notification_preferences').set({ last_digest_sent_at: runAt, updated_at: sql`now()` })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_digest_sent_at', 'is', null), eb('last_digest_sent_at', '<', runAt)]))
      .execute();
  }

  async recordOutcome(runId: string, userId: string, outcome: DigestOutcome, items: number): Promise<void> {
    await this.db.insertInto('digest_deliveries').values({ run_id: runId, user_id: userId, outcome, items })
      .onConflict((oc) => oc.columns(['run_id', 'user_id']).doUpdateSet({ outcome, items, updated_at: sql`now()` }))
      .execute();
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
