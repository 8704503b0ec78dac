import { NOTIFICATION_TYPES, type DigestFrequency, type NotificationPriority, type NotificationType } from '../platform/db/schema.js';
import { quietHoursAt } from './quiet-hours.js';

export interface DeliveryPreferences {
  readonly emailEnabled: boolean;
  readonly digestFrequency: DigestFrequency;
  readonly enabledTypes: readonly NotificationType[];
}

export const DEFAULT_DELIVERY_PREFERENCES: DeliveryPreferences = {
  emailEnabled: true, digestFrequency: 'IMMEDIATE', enabledTypes: NOTIFICATION_TYPES,
};

export type EmailDecision =
  | { email: true; reason: 'immediate' | 'critical' }
  | { email: false; reason: 'email-disabled' | 'never' | 'digest' | 'type-disabled' };

/**
 * JOBS.md §1.2: whether a new notification is emailed now. A critical notification (set by an
 * administrator) is always emailed; otherwise email must be on, the frequency IMMEDIATE and the
 * type enabled. DAILY/WEEKLY users get it in their digest instead.
 */
export function decideEmail(prefs: DeliveryPreferences, type: NotificationType, critical: boolean): EmailDecision {
  if (critical) return { email: true, reason: 'critical' };
  if (!prefs.emailEnabled) return { email: false, reason: 'email-disabled' };
  if (prefs.digestFrequency === 'NEVER') return { email: false, reason: 'never' };
  if (prefs.digestFrequency !== 'IMMEDIATE') return { email: false, reason: 'digest' };
  if (!prefs.enabledTypes.includes(type)) return { email: false, reason: 'type-disabled' };
  return { email: true, reason: 'immediate' };
}

/** A delivery row's preference columns (null: the user never saved any, the defaults apply). */
export const preferencesOf = (row: { email_enabled: boolean | null; digest_frequency: DigestFrequency | null; enabled_types: NotificationType[] | null }): DeliveryPreferences =>
  (row.email_enabled === null ? DEFAULT_DELIVERY_PREFERENCES : { emailEnabled: row.email_enabled, digestFrequency: row.digest_frequency!, enabledTypes: row.enabled_types! });

/** What wantsEmail reads of a notification (a delivery row). */
export interface DeliveryCandidate {
  readonly type: NotificationType;
  readonly critical: boolean;
  /** The inserting transaction (xid8 as text). */
  readonly xid: string;
  /** An email of its own was reserved or claimed and is not finished: no digest will have it. */
  readonly claim_open: boolean;
}

/**
 * Whether the delivery job emails this notification on its own. Critical ones always. One whose
 * own email was reserved or claimed and is not finished (a retry after a temporary failure or a
 * crash) is in no digest, so it still goes out unless email is now off (or NEVER) or its type
 * disabled, whatever digest frequency the user moved to. Otherwise the rules, and not a row below
 * the user's digest cursor: a digest's range holds it (the user left DAILY/WEEKLY and the flush
 * ran before this job, which read IMMEDIATE), and the digest is its email.
 */
export function wantsEmail(row: DeliveryCandidate, prefs: DeliveryPreferences, cursor: string | null): boolean {
  if (row.critical) return true;
  if (row.claim_open) {
    const onDigest = prefs.digestFrequency === 'DAILY' || prefs.digestFrequency === 'WEEKLY';
    return decideEmail(onDigest ? { ...prefs, digestFrequency: 'IMMEDIATE' } : prefs, row.type, false).email;
  }
  if (!decideEmail(prefs, row.type, false).email) return false;
  return cursor === null || BigInt(row.xid) >= BigInt(cursor);
}

/** What the quiet-hours decision reads of a delivery row (its notification and the user's preferences). */
export interface QuietCandidate {
  readonly type: NotificationType;
  readonly priority: NotificationPriority;
  readonly critical: boolean;
  readonly claim_open: boolean;
  readonly timezone: string | null;
  /** 'HH:MM:SS' (PostgreSQL time), both set or both null. */
  readonly quiet_start: string | null;
  readonly quiet_end: string | null;
}

/**
 * Issue 17: until when an email the delivery job chose waits, or null to send it now. It waits
 * only while `now` is inside the user's quiet hours (in their zone, UTC when unset), and only if it
 * is an IMMEDIATE email (not a critical one) of a notification that is not URGENT, with no
 * reservation or claim of its own yet: a retry of an email already decided goes, as no digest has it.
 */
export function heldUntil(row: QuietCandidate, prefs: DeliveryPreferences, now: number): Date | null {
  if (row.quiet_start === null || row.quiet_end === null) return null;
  if (row.priority === 'URGENT' || row.claim_open || decideEmail(prefs, row.type, row.critical).reason !== 'immediate') return null;
  const quiet = quietHoursAt(new Date(now), row.timezone ?? 'UTC', { start: row.quiet_start, end: row.quiet_end });
  return quiet.inside ? quiet.endsAt : null;
}

/** Issue 19: where a new notification's email goes for one recipient (a broadcast's preview, a recall's count). */
export type EmailRoute = 'now' | 'held' | 'digest' | 'none';

/**
 * The delivery's decision for a notification not yet delivered, composed of the functions the
 * delivery job itself applies (wantsEmail, heldUntil) so a preview cannot drift from it: emailed
 * now, held by quiet hours, listed in the user's next digest, or no email. A new row has no claim
 * of its own and is newer than any digest cursor. A suppressed address gets no email (the claim
 * logs it 'suppressed', and its digest too). A digest lists unread rows of enabled types only
 * (digests.repository.ts, items), so a DAILY user who disabled the type gets neither.
 */
export function emailRoute(row: Omit<QuietCandidate, 'claim_open'> & { readonly suppressed: boolean }, prefs: DeliveryPreferences, now: number): EmailRoute {
  // Stryker disable next-line StringLiteral: equivalent, without a cursor wantsEmail never reads xid
  if (wantsEmail({ type: row.type, critical: row.critical, xid: '0', claim_open: false }, prefs, null)) {
    if (row.suppressed) return 'none';
    return heldUntil({ ...row, claim_open: false }, prefs, now) ? 'held' : 'now';
  }
  const digest = decideEmail(prefs, row.type, row.critical).reason === 'digest' && prefs.enabledTypes.includes(row.type);
  return digest && !row.suppressed ? 'digest' : 'none';
}

type InboxState = { read: boolean; archived_at: Date | null; snoozed_until: Date | null; expires_at: Date | null };

export const expiredAt = (row: Pick<InboxState, 'expires_at'>, now: number): boolean => row.expires_at !== null && row.expires_at.getTime() <= now;

/** Shown by the feed now: not archived, not snoozed to later, not expired (the inbox's VISIBLE, on the app's clock). */
export const inFeed = (row: Omit<InboxState, 'read'>, now: number): boolean =>
  row.archived_at === null && (row.snoozed_until === null || row.snoozed_until.getTime() <= now) && !expiredAt(row, now);

/**
 * Whether a held email still goes when quiet hours end: its notification still waits for the user,
 * who has not dealt with it meanwhile (read, archived, snoozed to later) and it has not expired. A
 * deleted one is not loaded at all.
 */
export const stillUnattended = (row: InboxState, now: number): boolean => !row.read && inFeed(row, now);
