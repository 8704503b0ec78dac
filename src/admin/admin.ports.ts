import type { z } from 'zod';
import type { AggregationJobType, AggregationStatus } from '../platform/db/schema.js';
import type { aggregationLogSchema } from './admin.responses.js';
import type { TimelineNotification, TimelineProviderEvent, TimelineRelay } from './timeline.rules.js';

/**
 * What admin needs from other capabilities, declared here and wired by the composition root
 * (src/app.ts), so admin imports none of them: health, digests and analytics satisfy these
 * structurally.
 */

/** PostgreSQL and Redis reachability (the health capability's check). */
export interface HealthCheck {
  check(): Promise<{ readonly postgres: 'up' | 'down'; readonly redis: 'up' | 'down' }>;
}

/** The latest digest run of a frequency (the digests capability's run log). */
export interface DigestRuns {
  lastRun(frequency: 'DAILY' | 'WEEKLY'): Promise<{ readonly run_at: Date } | undefined>;
}

export interface AggregationLogFilter {
  readonly jobType?: AggregationJobType;
  readonly status?: AggregationStatus;
  /** periodStartDate >= startDate. */
  readonly startDate?: Date;
  /** periodEndDate <= endDate. */
  readonly endDate?: Date;
  readonly limit: number;
  readonly offset: number;
}

/** One run of the analytics rollups as the admin API shows it (metadata is the run's own JSON). */
export type AggregationLogEntry = Omit<z.output<typeof aggregationLogSchema>, 'metadata'> & { readonly metadata: unknown };

/** The analytics rollup run log, newest first (analytics owns the table). */
export interface AggregationLogs {
  list(filter: AggregationLogFilter): Promise<{ readonly items: AggregationLogEntry[]; readonly total: number }>;
}

/**
 * The message timeline's reads, each another capability's: notifications (the row, its inbox
 * state, its delivery jobs, the search), digests (the windows that held it) and email-events (the
 * providers' delivered/bounce/complaint events). Structural, so admin imports none of them.
 */
export interface NotificationHistory {
  find(id: string): Promise<(TimelineNotification & HistoryItem) | null>;
  search(filter: { id?: string; userId?: string; email?: string; limit: number; offset: number }): Promise<{ items: HistoryItem[]; total: number }>;
  relays(n: { id: string; createdAt: Date }): Promise<TimelineRelay[]>;
}

/** A notification as the admin's search and timeline show it. */
export interface HistoryItem {
  readonly id: string;
  readonly userId: string;
  readonly userEmail: string;
  readonly type: string;
  readonly title: string;
  readonly priority: string;
  readonly critical: boolean;
  readonly batchId: string | null;
  readonly createdAt: Date;
  readonly seenAt: Date | null;
  readonly readAt: Date | null;
  readonly archivedAt: Date | null;
  readonly snoozedUntil: Date | null;
  readonly expiresAt: Date | null;
}

export interface DigestHistory {
  covering(notificationId: string): Promise<Array<{ periodKey: string; frequency: string; runAt: Date; emailKey: string }>>;
}

export interface DeliveryEvents {
  forEmails(emailLogIds: readonly string[]): Promise<TimelineProviderEvent[]>;
}
