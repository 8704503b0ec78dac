import type { Role } from '../platform/db/schema.js';
import { toIso } from '../platform/http/reply.js';
import type { RecallCounts, RecallRecord } from './broadcasts.rules.js';
import type { NotificationContent } from './notifications.schemas.js';

export type BatchStatus = 'pending' | 'running' | 'completed' | 'recalled';

/** A notification batch as the admin API shows it (GET …/batches and …/batches/:id, a recall's answer). */
export interface BatchView {
  id: string;
  status: BatchStatus;
  target: 'users' | 'role' | 'all';
  role: Role | null;
  /** The content's type and title, as sent. */
  type: NotificationContent['type'];
  title: string;
  created: number;
  skipped: number;
  createdAt: string;
  completedAt: string | null;
  recalledAt: string | null;
  /** What the recall stopped and what it could not (issue 19); null until recalled. */
  recall: (RecallCounts & { settled: boolean }) | null;
}

/** The columns of notification_batches the view reads. */
export interface BatchRow {
  id: string;
  status: BatchStatus;
  target_kind: 'users' | 'role' | 'all';
  target_role: Role | null;
  payload: unknown;
  created_count: number;
  skipped_count: number;
  created_at: Date;
  completed_at: Date | null;
  recalled_at: Date | null;
  recall: unknown;
}

export function batchView(row: BatchRow): BatchView {
  const payload = row.payload as NotificationContent;
  const record = row.recall as RecallRecord | null;
  return {
    id: row.id, status: row.status, target: row.target_kind, role: row.target_role, type: payload.type, title: payload.title,
    created: row.created_count, skipped: row.skipped_count,
    createdAt: toIso(row.created_at)!, completedAt: toIso(row.completed_at), recalledAt: toIso(row.recalled_at),
    recall: record ? {
      hidden: record.hidden, emailsSent: record.emailsSent, emailsCancelled: record.emailsCancelled, emailsFailed: record.emailsFailed,
      emailsUnconfirmed: record.emailsUnconfirmed, digestItemsRemoved: record.digestItemsRemoved, unreached: record.unreached, settled: record.settled,
    } : null,
  };
}
