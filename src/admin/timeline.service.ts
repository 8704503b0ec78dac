import type { EmailLogReads, EmailSummaryRow } from '../platform/email/email-log.reads.js';
import { NotFoundError } from '../platform/errors.js';
import type { DeliveryEvents, DigestHistory, HistoryItem, NotificationHistory } from './admin.ports.js';
import { buildTimeline, type TimelineEvent } from './timeline.rules.js';

export interface TimelineServiceDeps {
  readonly history: NotificationHistory;
  readonly emails: EmailLogReads;
  readonly digests: DigestHistory;
  /** The providers' events (src/email-events); absent, the timeline ends at the hand-off. */
  readonly deliveryEvents?: DeliveryEvents;
  readonly now: () => number;
}

/** The admin's tracing of a message: find a notification, then read its life from every capability that touched it. */
export class TimelineService {
  constructor(private readonly deps: TimelineServiceDeps) {}

  /** An unknown or malformed id is not found (404), as everywhere in the API. */
  async timeline(id: string): Promise<{ notification: HistoryItem; events: TimelineEvent[] }> {
    const notification = await this.deps.history.find(id);
    if (!notification) throw new NotFoundError('Notification not found');
    const [relays, emails, covering] = await Promise.all([
      this.deps.history.relays(notification), this.deps.emails.forNotification(id), this.deps.digests.covering(id),
    ]);
    const digestEmails = await this.deps.emails.byKeys(covering.map((d) => d.emailKey));
    const emailOf = new Map(digestEmails.map((e) => [e.key, e]));
    const providerEvents = this.deps.deliveryEvents && emails.length > 0 ? await this.deps.deliveryEvents.forEmails(emails.map((e) => e.id)) : [];
    const events = buildTimeline({
      notification, relays, emails, providerEvents,
      digests: covering.map((d) => ({ periodKey: d.periodKey, frequency: d.frequency, runAt: d.runAt, email: emailOf.get(d.emailKey) ?? null })),
    }, this.deps.now());
    return { notification, events };
  }

  search(filter: { id?: string; userId?: string; email?: string; page: number; pageSize: number }) {
    return this.deps.history.search({ id: filter.id, userId: filter.userId, email: filter.email, limit: filter.pageSize, offset: (filter.page - 1) * filter.pageSize });
  }

  /** Emails created in the last `hours`, by outcome and transport. */
  async emailSummary(hours: number): Promise<{ since: Date; rows: EmailSummaryRow[] }> {
    const since = new Date(this.deps.now() - hours * 3_600_000);
    return { since, rows: await this.deps.emails.summary(since) };
  }
}
