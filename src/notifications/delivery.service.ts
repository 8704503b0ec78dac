import type { Db } from '../platform/db/client.js';
import type { EmailService, SendOutcome } from '../platform/email/email.service.js';
import { deferralForHeldClaims, RetryableEmailError } from '../platform/email/email.service.js';
import type { Logger } from '../platform/logger.js';
import { DEFAULT_DELIVERY_PREFERENCES, decideEmail } from './delivery.rules.js';
import { DeliveryRepository, type DeliveryRow } from './delivery.repository.js';
import { renderNotificationEmail } from './email.render.js';
import { toView } from './notifications.service.js';
import type { NotificationStream } from './stream.service.js';
import { createUnsubscribeToken } from './unsubscribe.token.js';

export interface DeliveryReport {
  emailed: number;
  captured: number;
  alreadySent: number;
  skipped: number;
  failed: number;
  missing: number;
}

export const notificationEmailKey = (notificationId: string) => `notification:${notificationId}`;

/** Raised when some emails of a job were refused for good: no retry, the job shows the reason. */
export class PermanentDeliveryError extends Error {}

export interface DeliveryDeps {
  readonly db: Db;
  readonly email: EmailService;
  readonly stream: NotificationStream;
  readonly log: Logger;
  /** Base of links in emails: PUBLIC_URL, else where this deployment's API listens. */
  readonly publicUrl: () => string;
  readonly secret: string;
  readonly unsubscribeTtlMs: number;
}

/**
 * JOBS.md §1: for each new notification, push it to the user's open sessions and email it when the
 * rules say so, exactly once per notification however often the job runs.
 */
export class DeliveryService {
  private readonly repo: DeliveryRepository;

  constructor(private readonly deps: DeliveryDeps) {
    this.repo = new DeliveryRepository(deps.db);
  }

  unsubscribeUrl(userId: string, now = Date.now()): string {
    const token = createUnsubscribeToken(this.deps.secret, userId, new Date(now + this.deps.unsubscribeTtlMs));
    return `${this.deps.publicUrl()}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  }

  async deliver(notificationIds: readonly string[]): Promise<DeliveryReport> {
    const rows = await this.repo.load(notificationIds);
    const report: DeliveryReport = { emailed: 0, captured: 0, alreadySent: 0, skipped: 0, failed: 0, missing: notificationIds.length - rows.length };
    await Promise.all(rows.map((row) => this.deps.stream.publishNotification(row.user_id, toView(row)).catch((err: Error) => {
      this.deps.log.warn({ err: err.message, notificationId: row.id }, 'live push failed; clients will see it on their next poll');
    })));
    const toEmail = rows.filter((row) => {
      const prefs = row.email_enabled === null ? DEFAULT_DELIVERY_PREFERENCES
        : { emailEnabled: row.email_enabled, digestFrequency: row.digest_frequency!, enabledTypes: row.enabled_types! };
      if (!decideEmail(prefs, row.type, row.critical).email) return false;
      // A digest's range already holds it (the user left DAILY/WEEKLY and the flush ran before this
      // job, which read IMMEDIATE): the flush's digest is its email, not a second one.
      return row.critical || row.digest_cursor === null || BigInt(row.xid) >= BigInt(row.digest_cursor);
    });
    report.skipped = rows.length - toEmail.length;
    const results = await Promise.allSettled(toEmail.map((row) => this.emailOne(row)));
    const retryable: string[] = [];
    const permanent: string[] = [];
    results.forEach((result, i) => {
      const id = toEmail[i]!.id;
      if (result.status === 'rejected') {
        retryable.push(`${id}: ${(result.reason as Error).message}`);
        if (!(result.reason instanceof RetryableEmailError)) this.deps.log.error({ err: result.reason, notificationId: id }, 'delivery error');
        return;
      }
      const outcome: SendOutcome = result.value;
      if (outcome === 'sent') report.emailed++;
      else if (outcome === 'captured') report.captured++;
      else if (outcome === 'already-sent') report.alreadySent++;
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

  private emailOne(row: DeliveryRow): Promise<SendOutcome> {
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
    return this.deps.email.sendOnce({
      key: notificationEmailKey(row.id), kind: 'notification', notificationId: row.id, userId: row.user_id,
      to: row.email, subject: rendered.subject, html: rendered.html, text: rendered.text, headers,
    });
  }
}
