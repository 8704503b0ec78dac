import { z } from 'zod';
import { DIGEST_FREQUENCIES, NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES } from '../platform/db/schema.js';
import { isoTimestamp, okBody, pageBody, type Same } from '../platform/http/route-doc.js';
import { roleSchema } from '../users/index.js';
import { QUIET_HOURS_DESCRIPTION, type NotificationView, type PreferencesView } from './notifications.schemas.js';
import type { InboxService } from './inbox.service.js';
import type { NotificationsService, NotifyResult } from './notifications.service.js';

/** Response shapes of the inbox, preferences and admin notifications (API.md), for OpenAPI and the client. */

export const notificationTypeSchema = z.enum(NOTIFICATION_TYPES).meta({ id: 'NotificationType' });
export const notificationPrioritySchema = z.enum(NOTIFICATION_PRIORITIES).meta({ id: 'NotificationPriority' });
export const digestFrequencySchema = z.enum(DIGEST_FREQUENCIES).meta({ id: 'DigestFrequency' });

export const notificationSchema = z.object({
  id: z.string(),
  type: notificationTypeSchema,
  title: z.string(),
  message: z.string(),
  actionUrl: z.string().nullable(),
  priority: notificationPrioritySchema,
  read: z.boolean(),
  readAt: isoTimestamp.nullable(),
  seen: z.boolean().describe('Shown in a feed (the bell was opened); read implies seen'),
  seenAt: isoTimestamp.nullable(),
  archived: z.boolean(),
  archivedAt: isoTimestamp.nullable(),
  snoozedUntil: isoTimestamp.nullable().describe('Hidden from lists and counts until then'),
  expiresAt: isoTimestamp.nullable().describe('Gone from lists and counts at that instant'),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoTimestamp,
}).meta({ id: 'Notification' });

export const preferencesSchema = z.object({
  userId: z.string(),
  enabledTypes: z.array(notificationTypeSchema),
  digestFrequency: digestFrequencySchema,
  emailEnabled: z.boolean(),
  inAppEnabled: z.literal(true),
  lastDigestSentAt: isoTimestamp.optional(),
  timezone: z.string().describe('IANA zone of the 09:00 digests and of quiet hours; UTC by default'),
  quietHours: z.object({ start: z.string().describe('HH:MM, local'), end: z.string().describe('HH:MM, local') }).nullable().describe(QUIET_HOURS_DESCRIPTION),
}).meta({ id: 'NotificationPreferences' });

export const notificationPage = pageBody(notificationSchema);
export const countBody = okBody(z.object({ count: z.number().int() }));
export const unreadCountBody = okBody(z.object({
  count: z.number().int().describe('Unread notifications of the feed (not archived, snoozed or expired)'),
  unseen: z.number().int().describe('Of those, never shown in a feed (the bell\'s badge)'),
  byType: z.record(notificationTypeSchema, z.number().int()).optional().describe('With ?by=type: unread per type, every type present'),
}));
export const notificationBody = okBody(notificationSchema);
export const markReadBody = okBody(z.object({ id: z.string(), read: z.literal(true), readAt: isoTimestamp }));
export const preferencesBody = okBody(preferencesSchema);

export const notifyResultBody = okBody(z.object({
  created: z.number().int().describe('rows created now (0 for a role/everyone fan-out, which creates them in the background)'),
  skipped: z.number().int(),
  batchId: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'recalled']),
  replayed: z.boolean().describe('true when the idempotencyKey was seen before and nothing new was created'),
}));
const count = (text: string) => z.number().int().describe(text);
/** Issue 19: what a recall stopped and what it could not (see OPERATIONS.md, "Broadcast preview and recall"). */
export const recallCountsSchema = z.object({
  hidden: count('in-app notifications hidden by the recall (inbox, unread counts, digests, open streams)'),
  emailsSent: count('emails handed to SMTP (or captured) before the recall: could not be stopped'),
  emailsCancelled: count('emails that would have gone (now or after quiet hours) and will not'),
  emailsFailed: count('emails refused for good or suppressed before the recall'),
  emailsUnconfirmed: count('emails claimed before the recall whose outcome is unknown (a hand-off still running after EMAIL_LEASE_MS, or an attempt that died mid-hand-off); 0 normally'),
  digestItemsRemoved: count('notifications that a coming digest would have listed'),
  unreached: count('users a role/everyone fan-out had not reached yet: nothing was created for them'),
  settled: z.boolean().describe('false only while the recall still waits for emails in hand-off'),
}).meta({ id: 'RecallCounts' });
export const batchSchema = z.object({
  id: z.string(), status: z.enum(['pending', 'running', 'completed', 'recalled']), target: z.enum(['users', 'role', 'all']), role: roleSchema.nullable(),
  type: notificationTypeSchema, title: z.string(),
  created: z.number().int(), skipped: z.number().int(),
  createdAt: isoTimestamp, completedAt: isoTimestamp.nullable(), recalledAt: isoTimestamp.nullable(),
  recall: recallCountsSchema.nullable().describe('null until recalled'),
}).meta({ id: 'NotificationBatch' });
export const batchBody = okBody(batchSchema);

/** One SSE frame's data: a `notification` event carries a Notification, `unread-count` counts, `notifications-changed` an InboxChange. */
export const streamDescription = 'Server-Sent Events: `event: notification` (data: a Notification, `id` resumable with Last-Event-ID or ?lastEventId=) '
  + 'and `event: unread-count` (data: `{ count, unseen }`: the feed\'s unread and, of those, never shown), heartbeats as comments. '
  + '`event: notifications-changed` (data: `{ action, ids, notifications? }`) tells every open stream of the user what changed, followed by '
  + 'the new `unread-count`: `action` is `read`, `unread`, `seen`, `archive`, `unarchive`, `delete`, `snooze`, `unsnooze`, `wake` (a snooze ended: '
  + 'the notification is back, unread and unseen), `expire` (gone at its expiresAt), `read-all` or `seen-all` (no ids: refetch); `notifications` '
  + 'carries the changed Notifications as they are now when one action changed one (and for `wake`), else only `ids` come. '
  + 'A replay sends at most the newest 100 missed notifications (256 KiB); '
  + 'when more were missed `event: resync` (data: `{ reason: "replay-truncated" }`) comes first: refetch the inbox. The server ends a stream with '
  + '`event: closed` (data: `{ reason }`): `too-many-streams` (a newer stream of the user took its place, SSE_MAX_PER_USER; it also sets `retry`) '
  + 'or `session-ended` (logout, password change, expiry: the reconnect gets 401).';

const _notification: Same<z.output<typeof notificationSchema>, NotificationView> = true;
const _preferences: Same<z.output<typeof preferencesSchema>, PreferencesView> = true;
const _markRead: Same<z.output<typeof markReadBody>['data'], Awaited<ReturnType<InboxService['markRead']>>> = true;
const _notify: Same<z.output<typeof notifyResultBody>['data'], NotifyResult> = true;
const _batch: Same<z.output<typeof batchBody>['data'], Awaited<ReturnType<NotificationsService['getBatch']>>> = true;
