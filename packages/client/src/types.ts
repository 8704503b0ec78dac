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
export const DIGEST_FREQUENCIES = ['IMMEDIATE', 'DAILY', 'WEEKLY', 'NEVER'] as const satisfies readonly DigestFrequency[];

type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : false;
const _types: Exhaustive<NotificationType, (typeof NOTIFICATION_TYPES)[number]> = true;
const _priorities: Exhaustive<NotificationPriority, (typeof NOTIFICATION_PRIORITIES)[number]> = true;
const _frequencies: Exhaustive<DigestFrequency, (typeof DIGEST_FREQUENCIES)[number]> = true;
