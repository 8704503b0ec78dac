import { sql } from 'kysely';
import type { Executor, Tx } from '../db/client.js';
import { Repository } from '../db/repository.js';
import type { EmailStatus } from '../db/schema.js';

export interface EmailClaim {
  key: string;
  kind: 'notification' | 'digest';
  notificationId: string | null;
  userId: string | null;
  to: string;
  subject: string;
  messageId: string;
  /**
   * Notifications the email shows, which must all still be live (not recalled, not expired) when
   * it is claimed: a notification email's own (the default), a digest's listed items. See claim.
   */
  liveNotifications?: readonly string[];
}

/**
 * What a claim found: the attempt number and status it wrote; null when the email is already done
 * or another attempt holds it; 'stale' when a digest lists a notification recalled or expired
 * since it was read (nothing written: the digest reads its items again).
 */
export type ClaimResult = { attempts: number; status: EmailStatus } | null | 'stale';

/** What the claim statement writes when a notification it must show is no longer live. */
const GATE_CLOSED = 'recalled or expired before its email was claimed';
const GATE_CLOSED_WAITING = 'recalled or expired while its claimed email waited for an SMTP connection';

/** The notifications an email's claim is gated on: those it lists, by default a notification email's own. */
export function gateOf(c: Pick<EmailClaim, 'notificationId' | 'liveNotifications'>): readonly string[] {
  return c.liveNotifications ?? (c.notificationId ? [c.notificationId] : []);
}

/**
 * The CTEs `locked` (the gate's rows, share-locked in id order, as a recall's UPDATE locks them)
 * and `gate` (open: every row still live and, unless a notification email's own, none gone).
 */
function gateCtes(gate: readonly string[], cancel: boolean) {
  return sql`locked AS (
        SELECT (expires_at IS NULL OR expires_at > clock_timestamp()) AS live FROM notifications
        WHERE id = ANY(${[...gate]}::uuid[]) ORDER BY id FOR SHARE
      -- A digest's listed row that is gone (deleted by its user, or recalled and then purged as
      -- expired) is no longer live either: the digest reads its content again.
      ), gate AS (SELECT coalesce(bool_and(live), true) AND (${cancel} OR count(*) = ${new Set(gate).size}) AS open FROM locked)`;
}

export class EmailLogRepository extends Repository {

  /**
   * Claims the email for `leaseMs` under `token` (random per attempt): a new key, or a key still
   * 'sending' whose lease ran out (its attempt died or failed temporarily). Returns the attempt
   * number, or null when the email is already done or another attempt holds it.
   *
   * Issue 19's recall: an email that shows notifications (`liveNotifications`, by default the
   * notification email's own) locks their rows FOR SHARE in the same statement and is claimed
   * only if every one is still live. A recall expires the rows with an UPDATE, which waits for
   * the share locks of claims already running (so once it committed, every claim it did not see
   * has not been taken), and a claim that waited for the recall's lock re-reads the rows' new
   * version (READ COMMITTED) against clock_timestamp(), not now(): the statement may have begun
   * before the recall's UPDATE set its instant. A notification email that finds its row no
   * longer live is logged 'cancelled' (never handed to a transport); a digest writes nothing and
   * answers 'stale'. Cost: one more row lock per notification email (measured in BENCHMARKS.md).
   */
  async claim(c: EmailClaim, token: string, leaseMs: number): Promise<ClaimResult> {
    const gate = gateOf(c);
    if (gate.length === 0) return this.claimUngated(c, token, leaseMs);
    // A notification email that finds its row recalled is logged 'cancelled' (a retry finds it
    // done); a digest's key stays free for its content read again.
    const cancel = c.kind === 'notification';
    const result = await sql<{ open: boolean; attempts: number | null; status: EmailStatus | null }>`
      WITH ${gateCtes(gate, cancel)},
      claimed AS (
        INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, claimed_until, claim_token, error)
        SELECT ${c.key}, ${c.kind}, ${c.notificationId}::uuid, ${c.userId}::uuid, ${c.to}, ${c.subject},
               CASE WHEN NOT g.open THEN 'cancelled' WHEN s.email IS NULL THEN 'sending' ELSE 'suppressed' END, ${c.messageId},
               CASE WHEN g.open AND s.email IS NULL THEN now() + ${leaseMs} * interval '1 millisecond' END,
               CASE WHEN g.open AND s.email IS NULL THEN ${token}::uuid END,
               CASE WHEN NOT g.open THEN ${GATE_CLOSED} WHEN s.email IS NOT NULL THEN 'address suppressed (' || s.reason || ', ' || s.source || ')' END
        FROM gate g CROSS JOIN (SELECT lower(${c.to}) AS address) a LEFT JOIN email_suppressions s ON s.email = a.address
        WHERE g.open OR ${cancel}
        ON CONFLICT (key) DO UPDATE
          SET attempts = email_log.attempts + 1, status = excluded.status, claimed_until = excluded.claimed_until, claim_token = excluded.claim_token,
              updated_at = now(), to_address = excluded.to_address, subject = excluded.subject, error = coalesce(excluded.error, email_log.error)
          WHERE email_log.status = 'sending' AND email_log.claimed_until < now()
        RETURNING attempts, status
      )
      SELECT g.open, c.attempts, c.status FROM gate g LEFT JOIN claimed c ON true`.execute(this.db);
    const row = result.rows[0]!;
    if (!row.open && !cancel) return 'stale';
    return row.status === null ? null : { attempts: row.attempts!, status: row.status };
  }

  /**
   * claim() for many gated emails at once (a notification email gated on its own notification, a
   * digest on the notifications it lists), one statement for a group of claims taken together
   * (GroupCommit in EmailService): the same rows, locks and outcomes as one claim() each. The
   * notifications are share-locked in id order, as a recall locks them for update, and the
   * email_log rows are written in key order (C collation, as JavaScript compares): two groups, or
   * a group and a recall, never deadlock. Answers one result per claim, in order: null when the
   * email is done or another attempt holds it, 'stale' for a digest listing a notification no
   * longer live (nothing written, as claim() answers).
   */
  async claimMany(claims: ReadonlyArray<{ c: EmailClaim; token: string }>, leaseMs: number): Promise<ClaimResult[]> {
    if (claims.length === 0) return [];
    const sorted = [...claims].sort((a, b) => (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0));
    // Each claim's gate, as (its ordinal in `sorted`, 1-based like WITH ORDINALITY; a notification id).
    const gates = sorted.flatMap((x, i) => gateOf(x.c).map((id) => [i + 1, id] as const));
    // The claim commits without waiting for its WAL flush (synchronous_commit off for this
    // statement's own transaction: called outside any transaction, as EmailService's group does):
    // a flush costs 2-4 ms here, on every hand-off's path. Losing such a claim in a PostgreSQL
    // crash changes nothing a durable one would not: the row is back as it was (reserved, or
    // free), and an email handed off under it is sent again with the same Message-ID, as after a
    // durable claim whose completion was lost; the completion (durable) flushes the claim's WAL
    // before its own. Visibility, which the exclusion between attempts, the suppression list and
    // a recall rely on, is immediate either way.
    const result = await sql<{ key: string; open: boolean; attempts: number | null; status: EmailStatus | null }>`
      WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS async), r AS (
        SELECT * FROM unnest(${sorted.map((x) => x.c.key)}::text[], ${sorted.map((x) => x.c.kind)}::text[], ${sorted.map((x) => x.c.notificationId)}::uuid[],
                             ${sorted.map((x) => x.c.userId)}::uuid[], ${sorted.map((x) => x.c.to)}::text[], ${sorted.map((x) => x.c.subject)}::text[],
                             ${sorted.map((x) => x.c.messageId)}::text[], ${sorted.map((x) => x.token)}::uuid[])
          WITH ORDINALITY AS r(key, kind, notification_id, user_id, to_address, subject, message_id, token, i)
        WHERE (SELECT async FROM cfg) IS NOT NULL
      ), g AS (
        SELECT * FROM unnest(${gates.map((x) => x[0])}::int8[], ${gates.map((x) => x[1])}::uuid[]) AS g(i, id)
      ), locked AS (
        SELECT id, (expires_at IS NULL OR expires_at > clock_timestamp()) AS live FROM notifications
        WHERE id IN (SELECT id FROM g) ORDER BY id FOR SHARE
      ), gate AS (
        -- A digest's listed row that is gone (deleted, or recalled and then purged) closes its gate, as in claim().
        SELECT r.i, coalesce(bool_and(l.live), true) AND (r.kind = 'notification' OR count(l.id) = count(g.id)) AS open
        FROM r LEFT JOIN g ON g.i = r.i LEFT JOIN locked l ON l.id = g.id GROUP BY r.i, r.kind
      ), claimed AS (
        INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, claimed_until, claim_token, error)
        SELECT r.key, r.kind, r.notification_id, r.user_id, r.to_address, r.subject,
               CASE WHEN NOT gt.open THEN 'cancelled' WHEN s.email IS NULL THEN 'sending' ELSE 'suppressed' END, r.message_id,
               CASE WHEN gt.open AND s.email IS NULL THEN now() + ${leaseMs} * interval '1 millisecond' END,
               CASE WHEN gt.open AND s.email IS NULL THEN r.token END,
               CASE WHEN NOT gt.open THEN ${GATE_CLOSED} WHEN s.email IS NOT NULL THEN 'address suppressed (' || s.reason || ', ' || s.source || ')' END
        FROM r JOIN gate gt ON gt.i = r.i LEFT JOIN email_suppressions s ON s.email = lower(r.to_address)
        -- A notification email whose notification is gone is logged 'cancelled'; a digest writes nothing ('stale').
        WHERE gt.open OR r.kind = 'notification'
        ORDER BY r.i
        ON CONFLICT (key) DO UPDATE
          SET attempts = email_log.attempts + 1, status = excluded.status, claimed_until = excluded.claimed_until, claim_token = excluded.claim_token,
              updated_at = now(), to_address = excluded.to_address, subject = excluded.subject, error = coalesce(excluded.error, email_log.error)
          WHERE email_log.status = 'sending' AND email_log.claimed_until < now()
        RETURNING key, attempts, status
      )
      SELECT r.key, gt.open, c.attempts, c.status FROM r JOIN gate gt ON gt.i = r.i LEFT JOIN claimed c ON c.key = r.key`.execute(this.db);
    const byKey = new Map(result.rows.map((row) => [row.key, row]));
    return claims.map((x): ClaimResult => {
      const row = byKey.get(x.c.key);
      if (row && !row.open && x.c.kind === 'digest') return 'stale';
      return row?.status ? { attempts: row.attempts!, status: row.status } : null;
    });
  }

  /**
   * The gate of a claim this attempt holds, checked again, and its lease renewed, in one statement:
   * EmailService.sendMany runs it before handing off a claim that waited for its SMTP slot longer
   * than a third of a lease (a recall waits at most a lease for the claims it finds). The listed
   * notifications are share-locked in id order, as claim() locks them. 'open': still this token's,
   * renewed. 'closed': one was recalled, expired or deleted since the claim; a notification email
   * is logged 'cancelled', a digest's row deleted (its content is read again). 'lost': not
   * this token's any more (nothing written).
   */
  async regate(c: Pick<EmailClaim, 'key' | 'kind' | 'notificationId' | 'liveNotifications'>, token: string, leaseMs: number): Promise<'open' | 'closed' | 'lost'> {
    const cancel = c.kind === 'notification';
    const result = await sql<{ open: boolean | null }>`
      WITH ${gateCtes(gateOf(c), cancel)},
      u AS (
        UPDATE email_log e SET updated_at = now(),
          claimed_until = CASE WHEN g.open THEN now() + ${leaseMs} * interval '1 millisecond' END,
          claim_token = CASE WHEN g.open THEN e.claim_token END,
          status = CASE WHEN g.open THEN e.status ELSE 'cancelled' END,
          error = CASE WHEN g.open THEN e.error ELSE ${GATE_CLOSED_WAITING} END
        FROM gate g WHERE e.key = ${c.key} AND e.claim_token = ${token}::uuid AND e.status = 'sending' AND (g.open OR ${cancel})
        RETURNING g.open
      ),
      -- A digest's row goes, as if never claimed (a stale claim writes nothing): its content is read again.
      d AS (
        DELETE FROM email_log e USING gate g
        WHERE e.key = ${c.key} AND e.claim_token = ${token}::uuid AND e.status = 'sending' AND NOT g.open AND NOT ${cancel}
        RETURNING false AS open
      )
      SELECT coalesce((SELECT open FROM u), (SELECT open FROM d)) AS open`.execute(this.db);
    const open = result.rows[0]?.open;
    return open === true ? 'open' : open === false ? 'closed' : 'lost';
  }

  /** The claim of an email that shows no notification. */
  private async claimUngated(c: EmailClaim, token: string, leaseMs: number): Promise<ClaimResult> {
    // The suppression list is read in the claim's own statement (one round trip, and no window
    // between a check and the claim): an address suppressed before this statement began is logged
    // 'suppressed' with no lease, never 'sending', so nothing hands it to a transport.
    const result = await sql<{ attempts: number; status: EmailStatus }>`
      INSERT INTO email_log (key, kind, notification_id, user_id, to_address, subject, status, message_id, claimed_until, claim_token, error)
      SELECT ${c.key}, ${c.kind}, ${c.notificationId}::uuid, ${c.userId}::uuid, ${c.to}, ${c.subject},
             CASE WHEN s.email IS NULL THEN 'sending' ELSE 'suppressed' END, ${c.messageId},
             CASE WHEN s.email IS NULL THEN now() + ${leaseMs} * interval '1 millisecond' END,
             CASE WHEN s.email IS NULL THEN ${token}::uuid END,
             CASE WHEN s.email IS NOT NULL THEN 'address suppressed (' || s.reason || ', ' || s.source || ')' END
      FROM (SELECT lower(${c.to}) AS address) a LEFT JOIN email_suppressions s ON s.email = a.address
      ON CONFLICT (key) DO UPDATE
        SET attempts = email_log.attempts + 1, status = excluded.status, claimed_until = excluded.claimed_until, claim_token = excluded.claim_token,
            updated_at = now(), to_address = excluded.to_address, subject = excluded.subject, error = coalesce(excluded.error, email_log.error)
        WHERE email_log.status = 'sending' AND email_log.claimed_until < now()
      RETURNING attempts, status`.execute(this.db);
    return result.rows[0] ?? null;
  }

  async status(key: string): Promise<{ status: EmailStatus; claimedUntil: Date | null } | null> {
    const row = await this.db.selectFrom('email_log').select(['status', 'claimed_until']).where('key', '=', key).executeTakeFirst();
    return row ? { status: row.status, claimedUntil: row.claimed_until } : null;
  }

  /**
   * Extends the leases of claims this process still holds (key and token both match, still
   * 'sending'); returns the keys it no longer holds. An expired lease is extended too as long as
   * nobody took it over: the token, not the clock, says whose it is. Rows are locked in key order,
   * as claimMany() and completeMany() take theirs, so that none of them deadlocks with another.
   */
  async renew(claims: ReadonlyArray<{ key: string; token: string }>, leaseMs: number): Promise<string[]> {
    if (claims.length === 0) return [];
    const result = await sql<{ key: string }>`
      WITH mine AS (
        SELECT e.id, c.token FROM email_log e JOIN unnest(${claims.map((c) => c.key)}::text[], ${claims.map((c) => c.token)}::uuid[]) AS c(key, token)
          ON e.key = c.key AND e.claim_token = c.token
        WHERE e.status = 'sending' ORDER BY e.key COLLATE "C" FOR UPDATE OF e
      )
      UPDATE email_log e SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM mine m WHERE e.id = m.id AND e.claim_token = m.token AND e.status = 'sending'
      RETURNING e.key`.execute(this.db);
    const held = new Set(result.rows.map((r) => r.key));
    return claims.filter((c) => !held.has(c.key)).map((c) => c.key);
  }

  /** The email went out under this claim; false when the claim is no longer `token`'s (nothing written). */
  /**
   * The hand-off accepted; false when the claim was not ours. `andThen` (outbound webhooks'
   * email.sent) runs in the same transaction, only when the row was ours to complete: once per email.
   */
  async complete(
    key: string, token: string, outcome: { status: 'sent' | 'captured'; transport: string; smtpResponse: string | null; html?: string; text?: string; headers?: Record<string, string> },
    andThen?: (trx: Tx) => Promise<void>,
  ): Promise<boolean> {
    const update = (db: Executor) => db.updateTable('email_log').set({
      status: outcome.status,
      sent_at: sql`now()`,
      updated_at: sql`now()`,
      claimed_until: null,
      claim_token: null,
      error: null,
      transport: outcome.transport,
      smtp_response: outcome.smtpResponse,
      html: outcome.html ?? null,
      body_text: outcome.text ?? null,
      headers: outcome.headers ? JSON.stringify(outcome.headers) : null,
    }).where('key', '=', key).where('claim_token', '=', token).where('status', '=', 'sending').executeTakeFirst();
    if (!andThen) return Number((await update(this.db)).numUpdatedRows) > 0;
    return this.db.transaction().execute(async (trx) => {
      const completed = Number((await update(trx)).numUpdatedRows) > 0;
      if (completed) await andThen(trx);
      return completed;
    });
  }

  /**
   * complete() of many sent emails in one statement (GroupCommit in EmailService), for emails
   * nothing else is written with (no webhook's email.sent, not captured). The rows are locked in
   * key order first, as renew() and claimMany() take them: no two statements deadlock. Answers,
   * in order, whether each row was still its token's.
   */
  async completeMany(done: ReadonlyArray<{ key: string; token: string; transport: string; smtpResponse: string | null }>): Promise<boolean[]> {
    if (done.length === 0) return [];
    const result = await sql<{ key: string }>`
      WITH c AS (
        SELECT * FROM unnest(${done.map((d) => d.key)}::text[], ${done.map((d) => d.token)}::uuid[], ${done.map((d) => d.transport)}::text[], ${done.map((d) => d.smtpResponse)}::text[])
          AS c(key, token, transport, smtp_response)
      ), mine AS (
        SELECT e.id, c.token, c.transport, c.smtp_response FROM email_log e JOIN c ON e.key = c.key AND e.claim_token = c.token
        WHERE e.status = 'sending' ORDER BY e.key COLLATE "C" FOR UPDATE OF e
      )
      UPDATE email_log e SET status = 'sent', sent_at = now(), updated_at = now(), claimed_until = NULL, claim_token = NULL, error = NULL,
             transport = m.transport, smtp_response = m.smtp_response, html = NULL, body_text = NULL, headers = NULL
      FROM mine m WHERE e.id = m.id AND e.claim_token = m.token AND e.status = 'sending'
      RETURNING e.key`.execute(this.db);
    const completed = new Set(result.rows.map((r) => r.key));
    return done.map((d) => completed.has(d.key));
  }

  /** A temporary failure releases the claim at once so the retry can take it; false when it was not ours. */
  async release(key: string, token: string, error: string): Promise<boolean> {
    const result = await this.db.updateTable('email_log').set({ claimed_until: sql`now() - interval '1 millisecond'`, claim_token: null, error, updated_at: sql`now()` })
      .where('key', '=', key).where('claim_token', '=', token).where('status', '=', 'sending').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * A permanent refusal; false when the claim was not ours (the newer attempt's outcome stands).
   * `andThen` (the recipient's suppression) runs in the same transaction, only when the row was
   * ours to fail: the email is failed and its address suppressed together, or neither.
   */
  async fail(key: string, token: string, error: string, andThen?: (trx: Tx) => Promise<void>): Promise<boolean> {
    const update = (db: Executor) => db.updateTable('email_log').set({ status: 'failed', claimed_until: null, claim_token: null, error, updated_at: sql`now()` })
      .where('key', '=', key).where('claim_token', '=', token).where('status', '=', 'sending').executeTakeFirst();
    if (!andThen) return Number((await update(this.db)).numUpdatedRows) > 0;
    return this.db.transaction().execute(async (trx) => {
      const failed = Number((await update(trx)).numUpdatedRows) > 0;
      if (failed) await andThen(trx);
      return failed;
    });
  }

  /** The admin list (lag-tolerant, on readDb); claims and statuses above always read the primary. */
  list(filter: { status?: EmailStatus; limit: number; offset: number }) {
    let q = this.readDb.selectFrom('email_log').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
  }

  async count(filter: { status?: EmailStatus }): Promise<number> {
    let q = this.readDb.selectFrom('email_log').select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.status) q = q.where('status', '=', filter.status);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
