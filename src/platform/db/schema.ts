import type { ColumnType, Generated } from 'kysely';
import type { EmailEventsTable, EmailSuppressionsTable } from './schema.delivery.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.webhooks.js';
import type { JobHistoryTable, JobScheduleStateTable } from './schema.jobs.js';
import type { JobMetricsRollupsTable, JobMetricsTable } from './schema.jobs.js';
import type { BlogPostsTable, BrandsTable, CreatorsTable, IpAssetsTable, LicensesTable, ProjectsTable, SearchDocumentsTable, SearchReindexRunsTable } from './schema.catalog.js';
import type { Timestamp, DefaultTimestamp, NullableTimestamp, NullableJson, Json } from './schema.columns.js';

/**
 * Row types of every table, written by hand (narrower than the database where the code knows more:
 * enum unions, columns never inserted) and checked against the migrated schema at compile time
 * (schema.check.ts over kysely-codegen's schema.generated.ts): users, notifications, delivery,
 * digests, jobs and analytics here; the catalog and search in schema.catalog.ts (re-exported, so
 * callers import from this file alone).
 */
export * from './schema.catalog.js';
export * from './schema.delivery.js';
export * from './schema.webhooks.js';
export * from './schema.jobs.js';

export const ROLES = ['ADMIN', 'CREATOR', 'BRAND', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export const NOTIFICATION_TYPES = [
  'LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type NotificationPriority = (typeof NOTIFICATION_PRIORITIES)[number];

export const DIGEST_FREQUENCIES = ['IMMEDIATE', 'DAILY', 'WEEKLY', 'NEVER'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

export interface AppSettingsTable {
  key: string;
  value: string;
  created_at: DefaultTimestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string | null;
  role: Role;
  password_hash: string;
  password_changed_at: DefaultTimestamp;
  created_at: DefaultTimestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface NotificationBatchesTable {
  id: Generated<string>;
  idempotency_key: string | null;
  request_hash: string;
  target_kind: 'users' | 'role' | 'all';
  target_role: Role | null;
  payload: Json;
  status: Generated<'pending' | 'running' | 'completed' | 'recalled'>;
  cursor: string | null;
  created_count: Generated<number>;
  skipped_count: Generated<number>;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  completed_at: NullableTimestamp;
  /** Issue 19's recall (0023): when, by whom, and what it stopped (RecallRecord, broadcasts.rules.ts). */
  recalled_at: NullableTimestamp;
  recalled_by: string | null;
  recall: NullableJson;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  type: NotificationType;
  title: string;
  message: string;
  action_url: string | null;
  priority: Generated<NotificationPriority>;
  read: Generated<boolean>;
  read_at: NullableTimestamp;
  metadata: NullableJson;
  critical: Generated<boolean>;
  batch_id: string | null;
  created_at: DefaultTimestamp;
  /** xid8 of the inserting transaction (as text): the commit-order-safe position of digests and SSE replay. */
  xid: Generated<string>;
  /** Issue 17 (0015): shown in a feed; archived; hidden until; gone at; the time it sorts by. */
  seen_at: NullableTimestamp;
  archived_at: NullableTimestamp;
  snoozed_until: NullableTimestamp;
  expires_at: NullableTimestamp;
  ranked_at: NullableTimestamp;
}

export interface NotificationPreferencesTable {
  user_id: string;
  enabled_types: NotificationType[];
  digest_frequency: Generated<DigestFrequency>;
  email_enabled: Generated<boolean>;
  last_digest_sent_at: NullableTimestamp;
  timezone: string | null;
  updated_at: DefaultTimestamp;
  /** xid8 (as text): every notification below it is in a digest or was not due one; NULL before the first. */
  digest_cursor: string | null;
  /** Quiet hours as 'HH:MM:SS' in the user's zone; both set or both null (0015). */
  quiet_start: string | null;
  quiet_end: string | null;
}

/** One digest email's content, fixed when its (user, period) is first claimed (0012). */
export interface DigestContentsTable {
  user_id: string;
  period_key: string;
  frequency: 'DAILY' | 'WEEKLY';
  from_xid: string | null;
  from_time: NullableTimestamp;
  to_xid: string;
  run_at: Timestamp;
  owner_job: string | null;
  created_at: DefaultTimestamp;
}

export interface DigestRunsTable {
  id: Generated<string>;
  frequency: 'DAILY' | 'WEEKLY';
  run_at: Timestamp;
  scope: 'utc' | 'zoned' | 'all';
  trigger: 'schedule' | 'manual';
  status: Generated<'running' | 'completed' | 'failed'>;
  users_scanned: Generated<number>;
  error: string | null;
  started_at: DefaultTimestamp;
  completed_at: NullableTimestamp;
}

export type DigestOutcome = 'sent' | 'captured' | 'already-sent' | 'empty' | 'skipped' | 'failed';

export interface DigestDeliveriesTable {
  run_id: string;
  user_id: string;
  outcome: DigestOutcome;
  items: Generated<number>;
  updated_at: DefaultTimestamp;
}

export interface OutboxTable {
  /** bigint, read as a number (client.ts parses int8). */
  id: Generated<number>;
  queue: string;
  job_name: string;
  payload: Json;
  created_at: DefaultTimestamp;
  relayed_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  priority: number | null;
  dedupe_key: string | null;
  /** A fixed BullMQ job id (outbox-fixed.ts); null: the job is `outbox-<id>`. */
  job_id: string | null;
  delay_until: NullableTimestamp;
  op: ColumnType<'add' | 'remove', 'add' | 'remove' | undefined, 'add' | 'remove'>;
}

/** 'cancelled' (0023): a notification email a recall stopped before any attempt claimed it. */
export type EmailStatus = 'sending' | 'sent' | 'captured' | 'failed' | 'suppressed' | 'cancelled';

export interface EmailLogTable {
  id: Generated<string>;
  key: string;
  kind: 'notification' | 'digest';
  notification_id: string | null;
  user_id: string | null;
  to_address: string;
  subject: string;
  status: EmailStatus;
  attempts: Generated<number>;
  claimed_until: NullableTimestamp;
  /** The attempt holding the claim (random per attempt); only it may complete, release or fail the row. */
  claim_token: string | null;
  message_id: string;
  html: string | null;
  body_text: string | null;
  headers: NullableJson;
  error: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  sent_at: NullableTimestamp;
  /** The transport that accepted it ('smtp-1', 'smtp-2' ... in SMTP_URL order; 'captured'). */
  transport: string | null;
  /** The SMTP server's final answer (or the permanent refusal). */
  smtp_response: string | null;
}

export interface AdminAuditTable {
  id: Generated<string>;
  admin_id: string | null;
  action: string;
  queue: string | null;
  job_id: string | null;
  details: Json;
  created_at: DefaultTimestamp;
}

export const AGGREGATION_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'PARTIAL'] as const;
export type AggregationStatus = (typeof AGGREGATION_STATUSES)[number];
export const AGGREGATION_JOB_TYPES = ['hourly', 'daily', 'weekly', 'monthly'] as const;
export type AggregationJobType = (typeof AGGREGATION_JOB_TYPES)[number];

export interface MetricsAggregationJobsLogTable {
  id: Generated<string>;
  job_type: AggregationJobType;
  period_start_date: Timestamp;
  period_end_date: Timestamp;
  started_at: DefaultTimestamp;
  completed_at: NullableTimestamp;
  status: Generated<AggregationStatus>;
  records_processed: Generated<number>;
  records_created: Generated<number>;
  records_updated: Generated<number>;
  errors_count: Generated<number>;
  duration_seconds: number | null;
  memory_used_mb: number | null;
  error_message: string | null;
  error_stack: string | null;
  metadata: Generated<unknown>;
  created_at: DefaultTimestamp;
}

export type AnalyticsLevel = 'platform' | 'asset' | 'project' | 'license' | 'brand' | 'creator';

export interface AnalyticsEventsTable {
  /** bigint, read as a number (client.ts parses int8). */
  id: Generated<number>;
  occurred_at: Timestamp;
  received_at: DefaultTimestamp;
  event_type: string;
  user_id: string | null;
  session_id: string | null;
  visitor_id: string | null;
  asset_id: string | null;
  project_id: string | null;
  license_id: string | null;
  post_id: string | null;
  brand_id: string | null;
  creator_id: string | null;
  props: NullableJson;
  revenue_cents: Generated<number>;
  engagement_time: Generated<number>;
  idempotency_key: string | null;
  user_agent: string | null;
  ip: string | null;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  enriched_at: NullableTimestamp;
}

export interface AnalyticsEventKeysTable {
  key: string;
  created_at: DefaultTimestamp;
}

export interface AnalyticsRollupsTable {
  period_type: AggregationJobType;
  level: AnalyticsLevel;
  dimension_id: string;
  period_start: Timestamp;
  events: number;
  views: number;
  clicks: number;
  conversions: number;
  other_events: number;
  revenue_cents: number;
  unique_visitors: number;
  engagement_time: number;
  computed_at: DefaultTimestamp;
}

export interface AnalyticsRollupPeriodsTable {
  period_type: AggregationJobType;
  period_start: Timestamp;
  period_end: Timestamp;
  started_at: Timestamp;
  completed_at: NullableTimestamp;
  rerun_requested_at: NullableTimestamp;
}

export interface Database {
  app_settings: AppSettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  notification_batches: NotificationBatchesTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  outbox: OutboxTable;
  email_log: EmailLogTable;
  email_suppressions: EmailSuppressionsTable;
  email_events: EmailEventsTable;
  digest_runs: DigestRunsTable;
  digest_deliveries: DigestDeliveriesTable;
  digest_contents: DigestContentsTable;
  admin_audit: AdminAuditTable;
  metrics_aggregation_jobs_log: MetricsAggregationJobsLogTable;
  analytics_events: AnalyticsEventsTable;
  analytics_event_keys: AnalyticsEventKeysTable;
  analytics_rollups: AnalyticsRollupsTable;
  analytics_rollup_periods: AnalyticsRollupPeriodsTable;
  creators: CreatorsTable;
  brands: BrandsTable;
  projects: ProjectsTable;
  ip_assets: IpAssetsTable;
  licenses: LicensesTable;
  blog_posts: BlogPostsTable;
  search_documents: SearchDocumentsTable;
  search_reindex_runs: SearchReindexRunsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  job_history: JobHistoryTable;
  job_schedule_state: JobScheduleStateTable;
  job_metrics: JobMetricsTable;
  job_metrics_rollups: JobMetricsRollupsTable;
}
