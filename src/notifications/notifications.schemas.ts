import { z } from 'zod';
import { paginationQuery } from '../platform/http/validation.js';
import { isValidTimeZone } from '../platform/time-zone.js';
import { DIGEST_FREQUENCIES, NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES, ROLES, type DigestFrequency, type NotificationPriority, type NotificationType } from '../platform/db/schema.js';

export const listQuery = z.object({
  ...paginationQuery(20),
  read: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  type: z.enum(NOTIFICATION_TYPES).optional(),
  priority: z.enum(NOTIFICATION_PRIORITIES).optional(),
});
export type ListQuery = z.output<typeof listQuery>;

export const updatePreferencesBody = z.strictObject({
  enabledTypes: z.array(z.enum(NOTIFICATION_TYPES)).max(NOTIFICATION_TYPES.length * 4).optional(),
  digestFrequency: z.enum(DIGEST_FREQUENCIES).optional(),
  emailEnabled: z.boolean().optional(),
  /** IANA zone for digest times (09:00 local); null resets to UTC. Beyond the original contract. */
  timezone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Paris').nullable().optional(),
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
}
