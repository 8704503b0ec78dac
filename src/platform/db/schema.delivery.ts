import type { Generated } from 'kysely';
import type { DefaultTimestamp, Timestamp } from './schema.columns.js';

/** Row types of delivery trust (issue 18: suppressions and providers' delivery events), part of schema.ts. */

export const SUPPRESSION_REASONS = ['hard-bounce', 'complaint'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];
export const EMAIL_EVENT_TYPES = ['delivered', 'bounce', 'complaint'] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export interface EmailSuppressionsTable {
  /** Lower-cased (a CHECK holds it). */
  email: string;
  reason: SuppressionReason;
  /** 'smtp' or the reporting provider ('ses', 'postmark', 'generic'). */
  source: string;
  detail: string | null;
  message_id: string | null;
  user_id: string | null;
  created_at: DefaultTimestamp;
}

export interface EmailEventsTable {
  /** bigint, read as a number (client.ts parses int8). */
  id: Generated<number>;
  provider: string;
  provider_event_id: string;
  type: EmailEventType;
  email: string;
  message_id: string | null;
  /** Null when the event names no Message-ID of ours. */
  email_log_id: string | null;
  permanent: Generated<boolean>;
  detail: string | null;
  occurred_at: Timestamp;
  received_at: DefaultTimestamp;
}
