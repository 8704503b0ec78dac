/**
 * Safe broadcasts (issue 19), the pure part: a preview's email forecast from the audience grouped
 * by preferences, and what a recall stopped. Unit-tested (test/notifications/broadcasts.rules.test.ts).
 */
import type { DigestFrequency, NotificationPriority, NotificationType } from '../platform/db/schema.js';
import { emailRoute, preferencesOf, type EmailRoute } from './delivery.rules.js';

/**
 * Recipients who share everything the delivery rules read of a user (the audience query groups
 * them): the preference row's columns (null when the user never saved any), whether the
 * notification's type is among the enabled ones, whether the address is suppressed.
 */
export interface AudienceGroup {
  readonly email_enabled: boolean | null;
  readonly digest_frequency: DigestFrequency | null;
  readonly type_enabled: boolean | null;
  readonly suppressed: boolean;
  readonly timezone: string | null;
  readonly quiet_start: string | null;
  readonly quiet_end: string | null;
  readonly users: number;
}

/** What the notification is, as far as the rules care. */
export interface BroadcastContent {
  readonly type: NotificationType;
  readonly priority: NotificationPriority;
  readonly critical: boolean;
}

/** How many recipients would get an email now, held until their quiet hours end, in a digest, or none. */
export interface EmailForecast {
  now: number;
  heldForQuietHours: number;
  digest: number;
  none: number;
}

/** The route of one group's email: emailRoute over the group's preferences (the delivery's defaults when none were saved). */
export function routeOfGroup(group: AudienceGroup, content: BroadcastContent, now: number): EmailRoute {
  // enabled_types as far as this type goes: the rules only ask whether it is included.
  // Stryker disable next-line ArrayDeclaration: equivalent, any list without the type reads the same
  const prefs = preferencesOf({ email_enabled: group.email_enabled, digest_frequency: group.digest_frequency, enabled_types: group.type_enabled ? [content.type] : [] });
  return emailRoute({ ...content, suppressed: group.suppressed, timezone: group.timezone, quiet_start: group.quiet_start, quiet_end: group.quiet_end }, prefs, now);
}

/** The forecast of a broadcast over its audience's groups, at instant `now` (quiet hours). */
export function forecast(groups: readonly AudienceGroup[], content: BroadcastContent, now: number): EmailForecast {
  const out: EmailForecast = { now: 0, heldForQuietHours: 0, digest: 0, none: 0 };
  const key: Record<EmailRoute, keyof EmailForecast> = { now: 'now', held: 'heldForQuietHours', digest: 'digest', none: 'none' };
  for (const group of groups) out[key[routeOfGroup(group, content, now)]] += group.users;
  return out;
}

/** What a recall stopped and what it could not, as the batch shows it. */
export interface RecallCounts {
  /** In-app notifications hidden by the recall (inbox, counts, digests, streams). */
  hidden: number;
  /** Emails handed to SMTP (or captured) before the recall: not stoppable. */
  emailsSent: number;
  /** Emails that would have gone (now or after quiet hours) and will not. */
  emailsCancelled: number;
  /** Emails refused for good or suppressed before the recall (none went out). */
  emailsFailed: number;
  /** Emails claimed before the recall whose outcome is unknown: a hand-off still running when the wait ended, or an attempt that died mid-hand-off. */
  emailsUnconfirmed: number;
  /** Rows that would have been listed in a coming digest and will not. */
  digestItemsRemoved: number;
  /** Users a role/everyone fan-out had not reached yet: no row was created for them. */
  unreached: number;
}

/** The recall as kept on the batch row (notification_batches.recall). */
export interface RecallRecord extends RecallCounts {
  /** Whether the claims the recall waited for have finished (or the wait ran out) and are counted. */
  settled: boolean;
  /** email_log keys claimed before the recall and still in hand-off then: its notification emails' and digests'. */
  waitingOn: string[];
}

/** The final state of one email the recall waited for. */
export interface WaitedEmail {
  readonly key: string;
  readonly status: 'sending' | 'sent' | 'captured' | 'failed' | 'suppressed' | 'cancelled';
  /** Held by an attempt (its token set): live, or dead mid-hand-off; not merely reserved or released. */
  readonly claimed: boolean;
}

/**
 * Counts the notification emails the recall waited for into its record: each exactly once, by how
 * it ended. A digest it waited for is not a batch email: it is waited for (it may list a recalled
 * row) but counted nowhere. One still 'sending' but released (a temporary failure: its retry finds
 * the row recalled) is cancelled; one still held by an attempt (the wait ran out, or the attempt
 * died mid-hand-off) may or may not have gone out: unconfirmed.
 */
export function settle(record: RecallRecord, waited: readonly WaitedEmail[]): RecallRecord {
  const out: RecallRecord = { ...record, settled: true, waitingOn: [] };
  for (const e of waited) {
    if (!e.key.startsWith('notification:')) continue;
    if (e.status === 'sent' || e.status === 'captured') out.emailsSent++;
    else if (e.status === 'failed' || e.status === 'suppressed') out.emailsFailed++;
    else if (e.status === 'sending' && e.claimed) out.emailsUnconfirmed++;
    else out.emailsCancelled++;
  }
  return out;
}
