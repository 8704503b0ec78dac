import { isApiError } from './errors.js';
import type { HeraldClient } from './index.js';
import type {
  AggregationLogFilters, NotificationFilters, NotificationListResponse, NotificationPreferencesResponse, QueueName, UnreadCountResponse,
  UpdateNotificationPreferencesRequest,
} from './types.js';

type QueryKey = readonly unknown[];

/** The part of TanStack's QueryClient these options use (kept structural: no import, no React). */
export interface QueryCache {
  cancelQueries(filters: { queryKey: QueryKey }): Promise<void>;
  invalidateQueries(filters: { queryKey: QueryKey }): Promise<void>;
  getQueriesData<T>(filters: { queryKey: QueryKey }): Array<[QueryKey, T | undefined]>;
  getQueryData<T>(queryKey: QueryKey): T | undefined;
  setQueryData<T>(queryKey: QueryKey, data: T | undefined): unknown;
}

/**
 * Query and mutation options of the React hooks, without React: the same keys as the guide
 * (['notifications', filters], ['notifications-count'], ['notification-preferences']), so code
 * written against the guide keeps its cache invalidations.
 */
export const heraldKeys = {
  notifications: ['notifications'] as const,
  notificationList: (filters: NotificationFilters = {}) => ['notifications', filters] as const,
  unreadCount: ['notifications-count'] as const,
  preferences: ['notification-preferences'] as const,
  admin: ['herald-admin'] as const,
  jobHealth: ['herald-admin', 'health'] as const,
  aggregationLogs: (filters: AggregationLogFilters = {}) => ['herald-admin', 'aggregation-logs', filters] as const,
  searchIndexStats: ['herald-admin', 'search-index-stats'] as const,
  notificationStats: ['herald-admin', 'notification-stats'] as const,
};

/** Retry a failed query on network errors, 5xx and 429; never on other 4xx (they will not change). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 3) return false;
  if (!isApiError(error)) return true;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

/** Waits Retry-After when the server gave one, else exponential backoff. */
export function retryDelay(attempt: number, error: unknown): number {
  if (isApiError(error) && error.retryAfter !== null) return error.retryAfter * 1000;
  return Math.min(1000 * 2 ** attempt, 30_000);
}

const POLL_MS = 30_000;

export const notificationsQuery = (client: HeraldClient, filters: NotificationFilters = {}) => ({
  queryKey: heraldKeys.notificationList(filters) as QueryKey,
  queryFn: ({ signal }: { signal: AbortSignal }) => client.notifications.list(filters, { signal }),
  refetchInterval: POLL_MS,
  staleTime: 10_000,
});

export const unreadCountQuery = (client: HeraldClient) => ({
  queryKey: heraldKeys.unreadCount as QueryKey,
  queryFn: ({ signal }: { signal: AbortSignal }) => client.notifications.unreadCount({ signal }),
  refetchInterval: POLL_MS,
});

export const preferencesQuery = (client: HeraldClient) => ({
  queryKey: heraldKeys.preferences as QueryKey,
  queryFn: ({ signal }: { signal: AbortSignal }) => client.notifications.getPreferences({ signal }),
});

type Snapshot = { lists: Array<[QueryKey, NotificationListResponse | undefined]>; count: UnreadCountResponse | undefined };

async function snapshot(queryClient: QueryCache): Promise<Snapshot> {
  await Promise.all([queryClient.cancelQueries({ queryKey: heraldKeys.notifications }), queryClient.cancelQueries({ queryKey: heraldKeys.unreadCount })]);
  return {
    lists: queryClient.getQueriesData<NotificationListResponse>({ queryKey: heraldKeys.notifications }),
    count: queryClient.getQueryData<UnreadCountResponse>(heraldKeys.unreadCount),
  };
}

function restore(queryClient: QueryCache, previous: Snapshot | undefined): void {
  if (!previous) return;
  for (const [key, data] of previous.lists) queryClient.setQueryData(key, data);
  queryClient.setQueryData(heraldKeys.unreadCount, previous.count);
}

function settle(queryClient: QueryCache): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: heraldKeys.notifications }), queryClient.invalidateQueries({ queryKey: heraldKeys.unreadCount }),
  ]).then(() => undefined);
}

/**
 * Marks one notification read at once in every cached list and the badge, rolls back if the
 * server refuses, and refetches either way.
 */
export const markReadMutation = (client: HeraldClient, queryClient: QueryCache) => ({
  mutationFn: (id: string) => client.notifications.markRead(id),
  onMutate: async (id: string): Promise<Snapshot> => {
    const previous = await snapshot(queryClient);
    const readAt = new Date().toISOString();
    let wasUnread = false;
    for (const [key, page] of previous.lists) {
      if (!page) continue;
      wasUnread ||= page.data.some((n) => n.id === id && !n.read);
      queryClient.setQueryData<NotificationListResponse>(key, { ...page, data: page.data.map((n) => (n.id === id && !n.read ? { ...n, read: true, readAt } : n)) });
    }
    if (wasUnread && previous.count) {
      queryClient.setQueryData<UnreadCountResponse>(heraldKeys.unreadCount, { ...previous.count, data: { count: Math.max(0, previous.count.data.count - 1) } });
    }
    return previous;
  },
  onError: (_error: unknown, _id: string, previous: Snapshot | undefined) => restore(queryClient, previous),
  onSettled: () => settle(queryClient),
});

/** Everything read, badge to 0, optimistically. */
export const markAllReadMutation = (client: HeraldClient, queryClient: QueryCache) => ({
  mutationFn: () => client.notifications.markAllRead(),
  onMutate: async (): Promise<Snapshot> => {
    const previous = await snapshot(queryClient);
    const readAt = new Date().toISOString();
    for (const [key, page] of previous.lists) {
      if (page) queryClient.setQueryData<NotificationListResponse>(key, { ...page, data: page.data.map((n) => (n.read ? n : { ...n, read: true, readAt })) });
    }
    if (previous.count) queryClient.setQueryData<UnreadCountResponse>(heraldKeys.unreadCount, { ...previous.count, data: { count: 0 } });
    return previous;
  },
  onError: (_error: unknown, _vars: void, previous: Snapshot | undefined) => restore(queryClient, previous),
  onSettled: () => settle(queryClient),
});

export const deleteMutation = (client: HeraldClient, queryClient: QueryCache) => ({
  mutationFn: (id: string) => client.notifications.delete(id),
  onSettled: () => settle(queryClient),
});

export const updatePreferencesMutation = (client: HeraldClient, queryClient: QueryCache) => ({
  mutationFn: (updates: UpdateNotificationPreferencesRequest) => client.notifications.updatePreferences(updates),
  onSuccess: (saved: NotificationPreferencesResponse) => queryClient.setQueryData(heraldKeys.preferences, saved),
});

export const adminQueries = {
  jobHealth: (client: HeraldClient) => ({
    queryKey: heraldKeys.jobHealth as QueryKey, queryFn: ({ signal }: { signal: AbortSignal }) => client.adminJobs.health({ signal }), refetchInterval: POLL_MS,
  }),
  aggregationLogs: (client: HeraldClient, filters: AggregationLogFilters = {}) => ({
    queryKey: heraldKeys.aggregationLogs(filters) as QueryKey, queryFn: ({ signal }: { signal: AbortSignal }) => client.adminJobs.aggregationLogs(filters, { signal }),
  }),
  searchIndexStats: (client: HeraldClient) => ({
    queryKey: heraldKeys.searchIndexStats as QueryKey, queryFn: ({ signal }: { signal: AbortSignal }) => client.adminJobs.searchIndexStats({ signal }), refetchInterval: POLL_MS,
  }),
  notificationStats: (client: HeraldClient) => ({
    queryKey: heraldKeys.notificationStats as QueryKey, queryFn: ({ signal }: { signal: AbortSignal }) => client.adminJobs.notificationStats({ signal }), refetchInterval: POLL_MS,
  }),
};

export const retryJobMutation = (client: HeraldClient, queryClient: QueryCache) => ({
  mutationFn: ({ queueName, jobId }: { queueName: QueueName; jobId: string }) => client.adminJobs.retry(queueName, jobId),
  onSettled: () => queryClient.invalidateQueries({ queryKey: heraldKeys.admin }),
});
