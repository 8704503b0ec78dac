import type { AggregationLogFilters, NotificationFilters } from './types.js';

export type QueryKey = readonly unknown[];

/** The part of TanStack's QueryClient the hooks' options use (kept structural: no import, no React). */
export interface QueryCache {
  cancelQueries(filters: { queryKey: QueryKey; predicate?: (query: { state: { data: unknown } }) => boolean }): Promise<void>;
  invalidateQueries(filters: { queryKey: QueryKey }): Promise<void>;
  isFetching(filters: { queryKey: QueryKey; predicate?: (query: { state: { data: unknown } }) => boolean }): number;
  getQueriesData<T>(filters: { queryKey: QueryKey }): Array<[QueryKey, T | undefined]>;
  getQueryData<T>(queryKey: QueryKey): T | undefined;
  setQueryData<T>(queryKey: QueryKey, data: T | undefined): unknown;
}

/**
 * The query keys: the guide's (['notifications', filters], ['notifications-count'],
 * ['notification-preferences']), so code written against the guide keeps its cache invalidations.
 * The per-type counts live under the count's key, so invalidating the count refreshes them too.
 */
export const heraldKeys = {
  notifications: ['notifications'] as const,
  notificationList: (filters: NotificationFilters = {}) => ['notifications', filters] as const,
  unreadCount: ['notifications-count'] as const,
  unreadCountByType: ['notifications-count', { by: 'type' }] as const,
  preferences: ['notification-preferences'] as const,
  admin: ['herald-admin'] as const,
  jobHealth: ['herald-admin', 'health'] as const,
  aggregationLogs: (filters: AggregationLogFilters = {}) => ['herald-admin', 'aggregation-logs', filters] as const,
  searchIndexStats: ['herald-admin', 'search-index-stats'] as const,
  notificationStats: ['herald-admin', 'notification-stats'] as const,
};
