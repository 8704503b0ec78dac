import { sql, type RawBuilder } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { NotificationType, Role } from '../platform/db/schema.js';
import type { AudienceGroup, WaitedEmail } from './broadcasts.rules.js';

/** The users a broadcast would reach, as the real one picks them (see NotificationsRepository.insertForUsers and insertPage). */
export type AudienceTarget = { userIds: readonly string[] } | { role: Role | null; createdBefore?: Date };

/** The notification emails of a batch, by state, and the claims still live (issue 19's recall). */
export interface BatchEmails {
  sent: number;
  failed: number;
  cancelled: number;
  /** Claimed by an attempt whose lease ran out (it died or froze mid-hand-off): outcome unknown. */
  abandoned: number;
  /** Keys of claims held by a live attempt (token set, lease not over): in hand-off now. */
  live: string[];
}

/**
 * The SQL of previews and recalls (issue 19). Audience statements are set-based: one aggregate per
 * preview, grouping the recipients by what the delivery rules read of them, whatever their number.
 */
export class BroadcastsRepository extends Repository {
  /**
   * The recipients grouped by their delivery-relevant state (broadcasts.rules.ts decides each
   * group with the delivery's own functions). One statement: the users (by id, or by role/all
   * created before the instant, as the fan-out's pages pick them) joined with their preferences
   * and the suppression list.
   */
  async audience(target: AudienceTarget, type: NotificationType): Promise<AudienceGroup[]> {
    const targets: RawBuilder<unknown> = 'userIds' in target
      ? sql`SELECT u.id, u.email FROM (SELECT DISTINCT id FROM unnest(${target.userIds}::uuid[]) AS t(id)) t JOIN users u ON u.id = t.id`
      : sql`SELECT id, email FROM users WHERE (${target.role}::user_role IS NULL OR role = ${target.role}::user_role) AND created_at <= coalesce(${target.createdBefore ?? null}::timestamptz, now())`;
    return this.groups(targets, type);
  }

  /**
   * The groups of the rows a recall hid (expired at its instant) for which no email_log row exists
   * yet: their delivery has not decided, or held them for quiet hours. Counted by the same rules.
   */
  async undecided(batchId: string, at: Date, type: NotificationType): Promise<AudienceGroup[]> {
    return this.groups(sql`
      SELECT u.id, u.email FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE n.batch_id = ${batchId} AND n.expires_at = ${at}
        AND NOT EXISTS (SELECT 1 FROM email_log e WHERE e.notification_id = n.id)`, type);
  }

  private async groups(targets: RawBuilder<unknown>, type: NotificationType): Promise<AudienceGroup[]> {
    const result = await sql<AudienceGroup>`
      WITH targets AS (${targets})
      SELECT p.email_enabled, p.digest_frequency, (${type}::text = ANY(p.enabled_types)) AS type_enabled, (s.email IS NOT NULL) AS suppressed,
             p.timezone, p.quiet_start::text AS quiet_start, p.quiet_end::text AS quiet_end, count(*)::int AS users
      FROM targets t
      LEFT JOIN notification_preferences p ON p.user_id = t.id
      LEFT JOIN email_suppressions s ON s.email = t.email
      GROUP BY 1, 2, 3, 4, 5, 6, 7`.execute(this.db);
    return result.rows;
  }

  /**
   * Refuses what the broadcast's INSERT would refuse as the notification's row stores it (a NUL in
   * a text: 22021; a NUL or a lone UTF-16 half in metadata's jsonb: 22P05), with the same error,
   * which the HTTP layer answers 400 invalid_characters: a preview validates its body alike.
   */
  async checkStorable(content: { title: string; message: string; actionUrl: string | null; metadata: unknown }): Promise<void> {
    await sql`SELECT ${content.title}::text, ${content.message}::text, ${content.actionUrl}::text,
      ${content.metadata === null ? null : JSON.stringify(content.metadata)}::jsonb`.execute(this.db);
  }

  /** The database's clock now (not the transaction's start), cut to the millisecond. */
  async clock(): Promise<Date> {
    return (await sql<{ at: Date }>`SELECT date_trunc('milliseconds', clock_timestamp()) AS at`.execute(this.db)).rows[0]!.at;
  }

  /**
   * Hides the batch's rows that are still visible by expiring them at `at` (a past instant), and
   * answers how many. The rows are locked in id order (as every statement that locks many
   * notifications locks them, so none deadlocks with another), FOR UPDATE: it waits for every
   * email claim that share-locked one of them (EmailLogRepository.claim), and until the recall
   * commits no claim (share lock) and no reservation (its foreign-key check's key-share lock) of
   * these rows can be taken, so the counts that follow in the transaction hold still.
   */
  async hide(batchId: string, at: Date): Promise<number> {
    const result = await sql`
      WITH locked AS MATERIALIZED (
        SELECT id FROM notifications WHERE batch_id = ${batchId} AND (expires_at IS NULL OR expires_at > ${at}) ORDER BY id FOR UPDATE
      )
      UPDATE notifications n SET expires_at = ${at} FROM locked WHERE n.id = locked.id`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * The batch's notification emails no attempt holds (reserved by a delivery job, or released
   * after a temporary failure) become 'cancelled': nothing may claim them any more. A claim held
   * by an attempt (live, or dead with its lease over) is left as it is: it may have been handed off.
   */
  async cancelUnclaimed(batchId: string): Promise<number> {
    const result = await sql`
      UPDATE email_log e SET status = 'cancelled', claimed_until = NULL, error = 'recalled before its email was claimed', updated_at = now()
      FROM notifications n
      WHERE n.batch_id = ${batchId} AND e.notification_id = n.id AND e.status = 'sending' AND e.claim_token IS NULL`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * The batch's notification emails by state; `live`: the keys of claims in hand-off now. After
   * hide, no claim of the batch can be taken: one released meanwhile counts as cancelled.
   */
  async emails(batchId: string): Promise<BatchEmails> {
    const result = await sql<BatchEmails>`
      SELECT count(*) FILTER (WHERE e.status IN ('sent', 'captured'))::int AS sent,
             count(*) FILTER (WHERE e.status IN ('failed', 'suppressed'))::int AS failed,
             -- Released by a live claim between cancelUnclaimed and this read: nobody may claim it any more either.
             count(*) FILTER (WHERE e.status = 'cancelled' OR (e.status = 'sending' AND e.claim_token IS NULL))::int AS cancelled,
             count(*) FILTER (WHERE e.status = 'sending' AND e.claim_token IS NOT NULL AND e.claimed_until < now())::int AS abandoned,
             coalesce(array_agg(e.key) FILTER (WHERE e.status = 'sending' AND e.claim_token IS NOT NULL AND e.claimed_until >= now()), '{}') AS live
      FROM notifications n JOIN email_log e ON e.notification_id = n.id
      WHERE n.batch_id = ${batchId}`.execute(this.db);
    return result.rows[0]!;
  }

  /**
   * Digest emails in hand-off now whose content holds a row of the batch: the content's range of
   * inserting transactions [from_xid, to_xid) (digests.repository.ts, claimContents) holds the
   * row's xid. Not "content created after the batch": created_at is when the digest's transaction
   * began, and one that began before the batch and read its horizon after the batch committed
   * (it waited on the user's preference lock) holds the batch's row. The recall waits for them too.
   * Driven by the few digest claims in hand-off (email_log_status_idx), each checked on
   * notifications (user_id, xid).
   */
  async liveDigests(batchId: string): Promise<string[]> {
    const result = await sql<{ key: string }>`
      SELECT e.key FROM email_log e
      JOIN digest_contents c ON c.user_id = e.user_id AND e.key = 'digest:' || c.user_id || ':' || c.period_key
      WHERE e.status = 'sending' AND e.kind = 'digest' AND e.claim_token IS NOT NULL AND e.claimed_until >= now()
        AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = c.user_id AND n.batch_id = ${batchId}
          AND n.xid >= coalesce(c.from_xid, '0'::xid8) AND n.xid < c.to_xid)`.execute(this.db);
    return result.rows.map((r) => r.key);
  }

  /** The emails the recall waits for, as they are now. */
  async waited(keys: readonly string[]): Promise<Array<WaitedEmail & { live: boolean }>> {
    if (keys.length === 0) return [];
    const result = await sql<WaitedEmail & { live: boolean }>`
      SELECT key, status, claim_token IS NOT NULL AS claimed, (claim_token IS NOT NULL AND status = 'sending' AND claimed_until >= now()) AS live
      FROM email_log WHERE key = ANY(${[...keys]}::text[])`.execute(this.db);
    return result.rows;
  }

  /**
   * Users a role/everyone fan-out has not reached: those its next pages would pick (after the
   * cursor, created before the batch), for whom no row will be created now.
   */
  async unreached(batch: { target_role: Role | null; cursor: string | null; created_at: Date }): Promise<number> {
    const result = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM users
      WHERE (${batch.target_role}::user_role IS NULL OR role = ${batch.target_role}::user_role)
        AND created_at <= ${batch.created_at} AND (${batch.cursor}::uuid IS NULL OR id > ${batch.cursor}::uuid)`.execute(this.db);
    return result.rows[0]!.n;
  }
}
