import { z } from 'zod';
import { listOf, paginationQuery } from '../platform/http/validation.js';
import { isValidTimeZone } from '../platform/time-zone.js';
import { CLOCK_TIME } from './quiet-hours.js';
import { DIGEST_FREQUENCIES, NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES, ROLES, type DigestFrequency, type NotificationPriority, type NotificationType } from '../platform/db/schema.js';

export const listQuery = z.object({
  ...paginationQuery(20),
  read: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  type: z.enum(NOTIFICATION_TYPES).optional(),
  priority: z.enum(NOTIFICATION_PRIORITIES).optional(),
  /** Several types at once (`types=LICENSE,PAYOUT` or repeated), for tabs; beyond the original contract. */
  types: listOf(NOTIFICATION_TYPES),
  /** Absent or `false`: the feed; `true`: only archived; `all`: both. */
  archived: z.enum(['true', 'false', 'all']).optional(),
});
export type ListQuery = z.output<typeof listQuery>;

const clockTime = z.string().regex(CLOCK_TIME, 'must be a time of day HH:MM, 00:00 to 23:59');

/** What quiet hours do, for the OpenAPI document (request and answer). */
export const QUIET_HOURS_DESCRIPTION = 'Quiet hours: a daily window, local times HH:MM in `timezone` (UTC by default), that may cross midnight '
  + '(22:00 to 07:00). An IMMEDIATE email of a notification that is not URGENT, due inside it, is held and sent once when it ends; '
  + 'one read, archived, snoozed, deleted or expired meanwhile is not sent, and one whose preferences changed follows the new ones. '
  + 'Critical and URGENT notifications are never held, nor is in-app delivery (the stream gets every notification at once). '
  + 'Across a DST change the window ends when the clock first reads `end` (or jumps past it). null: off (the default); start must differ from end.';

export const updatePreferencesBody = z.strictObject({
  enabledTypes: z.array(z.enum(NOTIFICATION_TYPES)).max(NOTIFICATION_TYPES.length * 4).optional(),
  digestFrequency: z.enum(DIGEST_FREQUENCIES).optional(),
  emailEnabled: z.boolean().optional(),
  /** IANA zone for digest times (09:00 local); null resets to UTC. Beyond the original contract. */
  timezone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Paris').nullable().optional(),
  /** Issue 17: a daily window in the user's zone when IMMEDIATE emails wait; null turns it off. */
  quietHours: z.strictObject({ start: clockTime, end: clockTime })
    .refine((h) => h.start !== h.end, { path: ['end'], message: 'must differ from start (to turn quiet hours off, send null)' })
    .nullable().optional().describe(QUIET_HOURS_DESCRIPTION),
});
export type UpdatePreferencesInput = z.output<typeof updatePreferencesBody>;

/** A relative path or an http(s) URL; never javascript: or data: links into an inbox. */
const actionUrl = z.string().trim().min(1).max(2048).refine((value) => {
  if (value.startsWith('/') && !value.startsWith('//')) return true;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a path starting with / or an http(s) URL');

const metadata = z.record(z.string(), z.unknown()).refine((value) => JSON.stringify(value).length <= 16_384, 'must serialise to at most 16 KiB');

/** The longest a notification may live before it expires (a year and a day of slack). */
export const MAX_EXPIRY_MS = 366 * 24 * 3_600_000;
/** The longest snooze (issue 17: at most 90 days). */
export const MAX_SNOOZE_MS = 90 * 24 * 3_600_000;

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with a time zone, such as 2026-01-31T09:00:00Z' });

export const unreadCountQuery = z.object({ by: z.literal('type').optional() });

export const snoozeBody = z.strictObject({ until: instant });
export type SnoozeInput = z.output<typeof snoozeBody>;

export const INBOX_ACTIONS = ['read', 'unread', 'seen', 'archive', 'unarchive', 'delete'] as const;
export const bulkBody = z.strictObject({
  ids: z.array(z.string().uuid('must be a notification id')).min(1).max(100),
  action: z.enum(INBOX_ACTIONS),
});
export type BulkInput = z.output<typeof bulkBody>;

export const createNotificationsBody = z.strictObject({
  userIds: z.array(z.string().uuid('must be a user id')).min(1).max(10_000).optional(),
  role: z.enum(ROLES).optional(),
  all: z.literal(true).optional(),
  type: z.enum(NOTIFICATION_TYPES),
  title: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(5_000),
  actionUrl: actionUrl.optional(),
  priority: z.enum(NOTIFICATION_PRIORITIES).default('MEDIUM'),
  metadata: metadata.optional(),
  critical: z.boolean().default(false),
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** Gone from lists and counts at that instant, purged later; in the future, within a year. */
  expiresAt: instant.optional(),
}).superRefine((body, ctx) => {
  const targets = [body.userIds !== undefined, body.role !== undefined, body.all !== undefined].filter(Boolean).length;
  if (targets !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: 'exactly one of userIds, role or all is required' });
  }
});
export type CreateNotificationsInput = z.output<typeof createNotificationsBody>;

export interface NotificationView {
  id: string;
  type: NotificationType;
  title: string;
  message: string;
  actionUrl: string | null;
  priority: NotificationPriority;
  read: boolean;
  readAt: string | null;
  /** Issue 17, beyond the original contract: shown in a feed (read implies seen), archived, snoozed, expiring. */
  seen: boolean;
  seenAt: string | null;
  archived: boolean;
  archivedAt: string | null;
  snoozedUntil: string | null;
  expiresAt: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

export interface PreferencesView {
  userId: string;
  enabledTypes: NotificationType[];
  digestFrequency: DigestFrequency;
  emailEnabled: boolean;
  inAppEnabled: true;
  lastDigestSentAt?: string;
  timezone: string;
  quietHours: { start: string; end: string } | null;
}

/** What a notification says, the same for every recipient of one request. */
export interface NotificationContent {
  type: NotificationType;
  title: string;
  message: string;
  actionUrl: string | null;
  priority: NotificationPriority;
  metadata: Record<string, unknown> | null;
  critical: boolean;
  /** ISO instant; absent when it never expires (absent, not null, so an old request hashes as before). */
  expiresAt?: string;
}
