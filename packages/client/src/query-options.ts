import { isApiError } from './errors.js';
import { applyChange, restore, settle, snapshot, type CacheChange, type Snapshot } from './inbox-cache.js';
import type { HeraldClient } from './index.js';
import { heraldKeys, type QueryCache, type QueryKey } from './keys.js';
import type {
  AggregationLogFilters, BulkAction, NotificationFilters, NotificationPreferencesResponse, QueueName, UpdateNotificationPreferencesRequest,
} from './types.js';

export { applyChange, streamCacheUpdates, type CacheChange, type Snapshot } from './inbox-cache.js';
export { heraldKeys, type QueryCache } from './keys.js';

/** Query and mutation options of the React hooks, without React (usable with any TanStack adapter). */

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

/** The badge's counts (`count`, `unseen`); with `{ by: 'type' }` also `byType`, for tabs. */
export const unreadCountQuery = (client: HeraldClient, options: { by?: 'type' } = {}) => ({
  queryKey: (options.by === 'type' ? heraldKeys.unreadCountByType : heraldKeys.unreadCount) as QueryKey,
  queryFn: ({ signal }: { signal: AbortSignal }) => client.notifications.unreadCount({ ...options, signal }),
  refetchInterval: POLL_MS,
});

export const preferencesQuery = (client: HeraldClient) => ({
  queryKey: heraldKeys.preferences as QueryKey,
  queryFn: ({ signal }: { signal: AbortSignal }) => client.notifications.getPreferences({ signal }),
});

/**
 * A mutation of the inbox: the change shows at once in every cached list and count, is rolled
 * back if the server refuses, and lists and counts are refetched either way.
 */
function inboxMutation<V, R>(queryClient: QueryCache, mutationFn: (variables: V) => Promise<R>, changeOf: (variables: V) => CacheChange) {
  return {
    mutationFn,
    onMutate: async (variables: V): Promise<Snapshot> => {
      const previous = await snapshot(queryClient);
      applyChange(queryClient, changeOf(variables));
      return previous;
    },
    onError: (_error: unknown, _variables: V, previous: Snapshot | undefined) => restore(queryClient, previous),
    onSettled: () => settle(queryClient),
  };
}

const one = (action: CacheChange['action']) => (id: string): CacheChange => ({ action, ids: [id] });

export const markReadMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.markRead(id), one('read'));

export const markUnreadMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.markUnread(id), one('unread'));

/** Everything read, badge to 0. */
export const markAllReadMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (_: void) => client.notifications.markAllRead(), () => ({ action: 'read-all', ids: [] }));

/** The bell was opened: the unseen badge to 0, unread ones stay unread. */
export const markAllSeenMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (_: void) => client.notifications.seenAll(), () => ({ action: 'seen-all', ids: [] }));

export const archiveMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.archive(id), one('archive'));

export const unarchiveMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.unarchive(id), one('unarchive'));

/** Out of every list and count until `until` (a Date or an ISO instant). */
export const snoozeMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, ({ id, until }: { id: string; until: Date | string }) => client.notifications.snooze(id, until),
    ({ id, until }) => ({ action: 'snooze', ids: [id], until: typeof until === 'string' ? until : until.toISOString() }));

/** Back now; it was in no cached list, so it shows once the lists are refetched. */
export const unsnoozeMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.unsnooze(id), one('unsnooze'));

export const bulkMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, ({ ids, action }: { ids: readonly string[]; action: BulkAction }) => client.notifications.bulk(ids, action), ({ ids, action }) => ({ action, ids }));

export const deleteMutation = (client: HeraldClient, queryClient: QueryCache) =>
  inboxMutation(queryClient, (id: string) => client.notifications.delete(id), one('delete'));

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
