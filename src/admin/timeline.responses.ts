import { z } from 'zod';
import { isoTimestamp, okBody, pageBody, type Same } from '../platform/http/route-doc.js';
import { TIMELINE_STAGES } from './timeline.rules.js';

/** Response shapes of the message timeline, the notification search and the email summary (OpenAPI and the client). */

export const adminNotificationSchema = z.object({
  id: z.string(), userId: z.string(), userEmail: z.string(), type: z.string(), title: z.string(), priority: z.string(), critical: z.boolean(),
  batchId: z.string().nullable(), createdAt: isoTimestamp, seenAt: isoTimestamp.nullable(), readAt: isoTimestamp.nullable(),
  archivedAt: isoTimestamp.nullable(), snoozedUntil: isoTimestamp.nullable(), expiresAt: isoTimestamp.nullable(),
}).meta({ id: 'AdminNotification' });
export const adminNotificationsBody = pageBody(adminNotificationSchema);

export const timelineEventSchema = z.object({
  at: isoTimestamp,
  stage: z.enum(TIMELINE_STAGES),
  detail: z.record(z.string(), z.unknown()).describe('per stage: outboxId, emailLogId, transport, smtpResponse, error, provider, …'),
}).meta({ id: 'TimelineEvent' });

export const timelineBody = okBody(z.object({
  notification: adminNotificationSchema,
  events: z.array(timelineEventSchema).describe('oldest first; one instant\'s stages in the order of the stage enum'),
}).meta({ id: 'NotificationTimeline' }));

export const emailSummarySchema = z.object({
  since: isoTimestamp,
  hours: z.number().int(),
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()).describe('sending, sent, captured, failed, suppressed'),
  byTransport: z.record(z.string(), z.number().int()).describe("smtp-1, smtp-2, …, captured; 'none' for emails no transport took"),
  rows: z.array(z.object({ status: z.string(), transport: z.string().nullable(), count: z.number().int() })),
}).meta({ id: 'EmailSummary' });
export const emailSummaryBody = okBody(emailSummarySchema);

const _stage: Same<z.output<typeof timelineEventSchema>['stage'], (typeof TIMELINE_STAGES)[number]> = true;
