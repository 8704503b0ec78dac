import type { components } from './generated.js';
import type { BodyOf, DataOf, QueryInput, RawQueryOf, ResponseOf } from './operations.js';

/** Named types of the API (generated from its OpenAPI document). */
export type Schemas = components['schemas'];
export type Notification = Schemas['Notification'];
export type NotificationType = Schemas['NotificationType'];
export type NotificationPriority = Schemas['NotificationPriority'];
export type DigestFrequency = Schemas['DigestFrequency'];
export type NotificationPreferences = Schemas['NotificationPreferences'];
export type Role = Schemas['Role'];
export type User = Schemas['User'];
export type Pagination = Schemas['Pagination'];
export type QueueName = Schemas['QueueName'];
export type WorkerHealth = Schemas['WorkerHealth'];
export type JobHealth = Schemas['JobHealth'];
export type MetricsAggregationJobLog = Schemas['MetricsAggregationJobLog'];
export type QueueCounts = Schemas['QueueCounts'];
export type IpAsset = Schemas['IpAsset'];
export type Creator = Schemas['Creator'];
export type Brand = Schemas['Brand'];
export type Project = Schemas['Project'];
export type License = Schemas['License'];
export type SearchResponse = Schemas['SearchResponse'];
export type ErrorBody = Schemas['ErrorBody'];

export type NotificationListResponse = ResponseOf<'GET /api/notifications'>;
export type UnreadCountResponse = ResponseOf<'GET /api/notifications/unread-count'>;
/** `count` unread of the feed, `unseen` of those never shown (the bell's badge), `byType` with `{ by: 'type' }`. */
export type UnreadCounts = DataOf<'GET /api/notifications/unread-count'>;
export type UnreadCountQuery = QueryInput<NonNullable<RawQueryOf<'GET /api/notifications/unread-count'>>>;
/** What `bulk` does to every id it names. */
export type BulkAction = BodyOf<'POST /api/notifications/bulk'>['action'];
/** `false` (the feed, the default), `true` (only archived) or `'all'`. */
export type ArchivedView = NotificationFilters['archived'];
export type MarkReadResponse = ResponseOf<'POST /api/notifications/{id}/read'>;
export type MarkAllReadResponse = ResponseOf<'POST /api/notifications/read-all'>;
export type NotificationPreferencesResponse = ResponseOf<'GET /api/notifications/preferences'>;
export type UpdateNotificationPreferencesRequest = BodyOf<'PATCH /api/notifications/preferences'>;
export type NotificationFilters = QueryInput<NonNullable<RawQueryOf<'GET /api/notifications'>>>;
export type AggregationLogFilters = QueryInput<NonNullable<RawQueryOf<'GET /api/admin/jobs/aggregation/logs'>>>;
export type CreateNotificationsRequest = BodyOf<'POST /api/admin/notifications'>;
export type NotificationStats = DataOf<'GET /api/admin/jobs/notifications/stats'>;
export type SearchIndexStats = DataOf<'GET /api/admin/jobs/search-index/stats'>;

/** The enums as values (for filters and forms); a change of the API's enums stops this compiling. */
export const NOTIFICATION_TYPES = ['LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM', 'MESSAGE', 'POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG'] as const satisfies readonly NotificationType[];
export const NOTIFICATION_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const satisfies readonly NotificationPriority[];
export const BULK_ACTIONS = ['read', 'unread', 'seen', 'archive', 'unarchive', 'delete'] as const satisfies readonly BulkAction[];
export const DIGEST_FREQUENCIES = ['IMMEDIATE', 'DAILY', 'WEEKLY', 'NEVER'] as const satisfies readonly DigestFrequency[];

type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : false;
const _types: Exhaustive<NotificationType, (typeof NOTIFICATION_TYPES)[number]> = true;
const _priorities: Exhaustive<NotificationPriority, (typeof NOTIFICATION_PRIORITIES)[number]> = true;
const _frequencies: Exhaustive<DigestFrequency, (typeof DIGEST_FREQUENCIES)[number]> = true;
const _bulk: Exhaustive<BulkAction, (typeof BULK_ACTIONS)[number]> = true;

/**
 * What a `notifications-changed` stream event says (documented in the stream's description, not as
 * a schema, so it is written out here; test/client/inbox.test.ts holds it to the server's list).
 * `read-all` and `seen-all` name no ids; `notifications` carries the changed ones as they are now
 * when one action changed one (and for `wake`: a snooze ended), else only `ids` come.
 */
export const INBOX_CHANGE_ACTIONS = [...BULK_ACTIONS, 'snooze', 'unsnooze', 'wake', 'expire', 'read-all', 'seen-all'] as const;
export type InboxChangeAction = (typeof INBOX_CHANGE_ACTIONS)[number];
export interface InboxChange {
  readonly action: InboxChangeAction;
  readonly ids: readonly string[];
  readonly notifications?: readonly Notification[];
}
