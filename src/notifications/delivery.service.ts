import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/client.js';
import type { EmailService, EmailToSend, SendOutcome } from '../platform/email/email.service.js';
import { deferralForHeldClaims, RetryableEmailError } from '../platform/email/email.service.js';
import type { Logger } from '../platform/logger.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import { DEFAULT_DELIVERY_PREFERENCES, expiredAt, heldUntil, inFeed, preferencesOf, stillUnattended, wantsEmail } from './delivery.rules.js';
import type { DeliveryRepository, DeliveryRow } from './delivery.repository.js';
import { renderNotificationEmail } from './email.render.js';
import { toView } from './inbox.service.js';
import { DELIVERY_PRIORITY } from './notifications.service.js';
import type { NotificationStream } from './stream.service.js';
import { createUnsubscribeToken } from './unsubscribe.token.js';

export interface DeliveryReport {
  emailed: number;
  captured: number;
  alreadySent: number;
  /** The address is on the suppression list: logged 'suppressed', not sent; the notification stays in-app. */
  suppressed: number;
  /** Held by quiet hours: a delayed job emails them when those end (issue 17). */
  held: number;
  /** Recalled (issue 19) after this job read them: the claim found the row no longer live, logged 'cancelled'. */
  cancelled: number;
  skipped: number;
  failed: number;
  missing: number;
}

export const notificationEmailKey = (notificationId: string) => `notification:${notificationId}`;

/** Raised when some emails of a job were refused for good: no retry, the job shows the reason. */
export class PermanentDeliveryError extends Error {}

export interface DeliveryServiceDeps {
  /** For the reservation's transaction. */
  readonly db: Db;
  readonly deliveries: DeliveryRepository;
  readonly email: EmailService;
  readonly stream: Pick<NotificationStream, 'publishNotification'>;
  readonly log: Logger;
  /** Base of links in emails: PUBLIC_URL, else where this deployment's API listens. */
  readonly publicUrl: () => string;
  readonly secret: string;
  readonly unsubscribeTtlMs: number;
  /** The application's clock (Platform.now): whether it is inside a user's quiet hours. */
  readonly now: () => number;
}

/** Options of a delivery run. */
export interface DeliverOptions {
  /**
   * A run of emails held by quiet hours, at their end: the live push went when they were created,
   * and one read, archived, snoozed, deleted or expired meanwhile is not sent.
   */
  readonly held?: boolean;
}

/**
 * JOBS.md §1: for each new notification, push it to the user's open sessions and email it when the
 * rules say so, exactly once per notification however often the job runs.
 */
export class DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  unsubscribeUrl(userId: string, now = Date.now()): string {
    const token = createUnsubscribeToken(this.deps.secret, userId, new Date(now + this.deps.unsubscribeTtlMs));
    return `${this.deps.publicUrl()}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  }

  async deliver(notificationIds: readonly string[], options: DeliverOptions = {}): Promise<DeliveryReport> {
    const now = this.deps.now();
    const loaded = await this.deps.deliveries.load(notificationIds);
    // An expired notification is gone for its user (issue 17): a job that runs after its expiry (a
    // backlog, a worker down) neither pushes nor emails it.
    const rows = loaded.filter((row) => (options.held ? stillUnattended(row, now) : !expiredAt(row, now)));
    const report: DeliveryReport = { emailed: 0, captured: 0, alreadySent: 0, suppressed: 0, held: 0, cancelled: 0, skipped: 0, failed: 0, missing: notificationIds.length - loaded.length };
    // In-app delivery is never held, and a held run does not push again. Only what the feed shows is
    // pushed as new: one the user archived or snoozed before this job ran stays out of open streams
    // (as out of their replay, stream.repository.ts), or a client would show it again.
    if (!options.held) {
      await Promise.all(rows.filter((row) => inFeed(row, now)).map((row) => this.deps.stream.publishNotification(row.user_id, toView(row)).catch((err: Error) => {
        this.deps.log.warn({ err: err.message, notificationId: row.id }, 'live push failed; clients will see it on their next poll');
      })));
    }
    const chosen = rows.filter((row) => wantsEmail(row, preferencesOf(row), row.digest_cursor));
    const held = chosen.flatMap((row) => {
      const until = heldUntil(row, preferencesOf(row), now);
      return until ? [{ row, until }] : [];
    });
    await this.hold(held);
    report.held = held.length;
    const waiting = new Set(held.map(({ row }) => row));
    const toEmail = await this.reserve(chosen.filter((row) => !waiting.has(row)).map((row) => ({ row, email: this.compose(row) })));
    report.skipped = loaded.length - held.length - toEmail.length;
    const results = await Promise.allSettled(toEmail.map(({ email }) => this.deps.email.sendOnce(email)));
    const retryable: string[] = [];
    const permanent: string[] = [];
    results.forEach((result, i) => {
      const id = toEmail[i]!.row.id;
      if (result.status === 'rejected') {
        retryable.push(`${id}: ${(result.reason as Error).message}`);
        if (!(result.reason instanceof RetryableEmailError)) this.deps.log.error({ err: result.reason, notificationId: id }, 'delivery error');
        return;
      }
      const outcome: SendOutcome = result.value;
      if (outcome === 'sent') report.emailed++;
      else if (outcome === 'captured') report.captured++;
      else if (outcome === 'already-sent') report.alreadySent++;
      else if (outcome === 'suppressed') report.suppressed++;
      else if (outcome === 'cancelled') report.cancelled++;
      else {
        report.failed++;
        permanent.push(id);
      }
    });
    // Temporary failures first: a retry resends only what is not done; permanent ones never retry.
    const deferral = deferralForHeldClaims(results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])));
    if (deferral) throw deferral;
    if (retryable.length) throw new Error(`${retryable.length} of ${toEmail.length} emails not sent yet; retrying. First: ${retryable[0]}`);
    if (permanent.length) throw new PermanentDeliveryError(`${permanent.length} email(s) permanently refused by the mail server (notifications ${permanent.join(', ')}); see GET /api/admin/emails?status=failed`);
    return report;
  }

  /**
   * Issue 16, point 7: the decision to email a notification and the reservation of its email are
   * atomic with respect to digests. The decision above read the preferences without a lock; here,
   * in one transaction per job, the chosen emails are reserved in email_log (a digest leaves out
   * any notification with a row there), then the users' preference rows are share-locked and read
   * again, and a reservation whose decision no longer holds (a switch's flush or a digest moved the
   * cursor past the row meanwhile: the digest has it) is taken back. A digest that has not moved
   * the cursor yet waits for the lock (or, a flush, for this transaction: it has an id now) and
   * then sees the reservation. Before this, a job that decided on the old cursor and waited for an
   * SMTP connection let the flush put the row in its digest, and emailed it on its own as well.
   * Critical notifications are never in a digest, so they need no check.
   */
  private async reserve(chosen: ReadonlyArray<{ row: DeliveryRow; email: EmailToSend }>): Promise<ReadonlyArray<{ row: DeliveryRow; email: EmailToSend }>> {
    if (chosen.length === 0) return chosen;
    return this.deps.db.transaction().execute(async (tx) => {
      const repo = this.deps.deliveries.in(tx);
      const inserted = await repo.reserve(chosen.map(({ row, email }) => ({
        key: email.key, notificationId: row.id, userId: row.user_id, to: email.to, subject: email.subject, messageId: this.deps.email.messageIdFor(email.key),
      })));
      // Rows not inserted here were reserved or claimed already: that attempt decided, no digest has them.
      const check = chosen.filter(({ row, email }) => inserted.has(email.key) && !row.critical);
      if (check.length === 0) return chosen;
      const locked = await repo.lockPreferences(check.map(({ row }) => row.user_id));
      const dropped = new Set(check.filter(({ row }) => {
        const p = locked.get(row.user_id);
        const prefs = p ? { emailEnabled: p.email_enabled, digestFrequency: p.digest_frequency, enabledTypes: p.enabled_types } : DEFAULT_DELIVERY_PREFERENCES;
        return !wantsEmail({ ...row, claim_open: false }, prefs, p?.digest_cursor ?? null);
      }).map(({ email }) => email.key));
      await repo.unreserve([...dropped]);
      return chosen.filter(({ email }) => !dropped.has(email.key));
    });
  }

  /**
   * Issue 17: emails held by quiet hours wait in a delayed delivery job (`held`), one per end
   * instant, written to the outbox (it survives restarts and a Redis flush; the relay re-adds a lost
   * job once due). Nothing is reserved meanwhile: a held email is nobody's yet, so a digest the user
   * moves to has it, and the held run decides again by the rules of its moment, through reserve and
   * sendOnce like this one, so it goes at most once. Its job id names its content: a retry of this
   * job that holds the same emails again replaces the job instead of adding a second one.
   */
  private async hold(held: ReadonlyArray<{ row: DeliveryRow; until: Date }>): Promise<void> {
    const byEnd = new Map<number, DeliveryRow[]>();
    for (const { row, until } of held) byEnd.set(until.getTime(), [...(byEnd.get(until.getTime()) ?? []), row]);
    for (const [end, rows] of byEnd) {
      const ids = rows.map((row) => row.id).sort();
      const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 24);
      await enqueueInTx(this.deps.db, 'notification-delivery', 'NotificationsDeliver', { notificationIds: ids, held: true }, {
        runAt: new Date(end), jobId: `quiet-${end}-${digest}`, priority: Math.min(...rows.map((row) => DELIVERY_PRIORITY[row.priority])),
      });
    }
  }

  private compose(row: DeliveryRow): EmailToSend {
    const unsubscribeUrl = row.critical ? null : this.unsubscribeUrl(row.user_id);
    const rendered = renderNotificationEmail(
      { type: row.type, title: row.title, message: row.message, actionUrl: row.action_url, priority: row.priority },
      { publicUrl: this.deps.publicUrl(), recipientName: row.name, unsubscribeUrl },
    );
    const headers: Record<string, string> = { 'X-Herald-Notification': row.id, 'X-Priority': row.priority === 'URGENT' || row.priority === 'HIGH' ? '1' : '3' };
    if (unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    return {
      key: notificationEmailKey(row.id), kind: 'notification', notificationId: row.id, userId: row.user_id,
      to: row.email, subject: rendered.subject, html: rendered.html, text: rendered.text, headers,
    };
  }
}
