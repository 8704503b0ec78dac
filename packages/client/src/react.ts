import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, createElement, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from './errors.js';
import type { HeraldClient } from './index.js';
import {
  adminQueries, archiveMutation, bulkMutation, deleteMutation, markAllReadMutation, markAllSeenMutation, markReadMutation, markUnreadMutation,
  notificationsQuery, preferencesQuery, retryJobMutation, snoozeMutation, streamCacheUpdates, unarchiveMutation, unreadCountQuery, unsnoozeMutation,
  updatePreferencesMutation,
} from './query-options.js';
import type { StreamStatus } from './subscribe.js';
import type { AggregationLogFilters, InboxChange, Notification, NotificationFilters, UnreadCountResponse } from './types.js';

export { formatBadgeCount, formatNotificationTime, getNotificationIcon, getPriorityColor } from './helpers.js';
export * from './query-options.js';

const HeraldContext = createContext<HeraldClient | null>(null);

/** Makes a client available to the hooks below (inside a TanStack QueryClientProvider). */
export function HeraldProvider({ client, children }: { client: HeraldClient; children?: ReactNode }) {
  return createElement(HeraldContext.Provider, { value: client }, children);
}

export function useHeraldClient(): HeraldClient {
  const client = useContext(HeraldContext);
  if (!client) throw new Error('useHeraldClient: wrap the app in <HeraldProvider client={createHeraldClient(…)}>');
  return client;
}

// Errors are ApiError: `error.kind` says which state to show (unauthorized, rate-limited, network…).
export function useNotifications(filters: NotificationFilters = {}) {
  return useQuery<Awaited<ReturnType<HeraldClient['notifications']['list']>>, ApiError>(notificationsQuery(useHeraldClient(), filters));
}

/** `data.count` (unread) and `data.unseen` (the bell's badge); `{ by: 'type' }` adds `data.byType`, for tabs. */
export function useUnreadCount(options: { by?: 'type' } = {}) {
  return useQuery<UnreadCountResponse, ApiError>(unreadCountQuery(useHeraldClient(), options));
}
/** The guide's name for useUnreadCount. */
export const useUnreadNotificationCount = useUnreadCount;

export function useMarkNotificationRead() {
  return useMutation({ ...markReadMutation(useHeraldClient(), useQueryClient()) });
}

export function useMarkAllNotificationsRead() {
  return useMutation({ ...markAllReadMutation(useHeraldClient(), useQueryClient()) });
}

export function useDeleteNotification() {
  return useMutation({ ...deleteMutation(useHeraldClient(), useQueryClient()) });
}

// Issue 17's actions, each optimistic in the lists and counts, rolled back when refused.
export function useMarkNotificationUnread() {
  return useMutation({ ...markUnreadMutation(useHeraldClient(), useQueryClient()) });
}

/** Call when the bell (the inbox) is opened: clears the unseen badge. */
export function useMarkAllNotificationsSeen() {
  return useMutation({ ...markAllSeenMutation(useHeraldClient(), useQueryClient()) });
}

export function useArchiveNotification() {
  return useMutation({ ...archiveMutation(useHeraldClient(), useQueryClient()) });
}

export function useUnarchiveNotification() {
  return useMutation({ ...unarchiveMutation(useHeraldClient(), useQueryClient()) });
}

/** `mutate({ id, until })`: `until` a Date or an ISO instant, in the future, at most 90 days ahead. */
export function useSnoozeNotification() {
  return useMutation({ ...snoozeMutation(useHeraldClient(), useQueryClient()) });
}

export function useUnsnoozeNotification() {
  return useMutation({ ...unsnoozeMutation(useHeraldClient(), useQueryClient()) });
}

/** `mutate({ ids, action })` for up to 100 ids: read, unread, seen, archive, unarchive or delete. */
export function useBulkNotificationAction() {
  return useMutation({ ...bulkMutation(useHeraldClient(), useQueryClient()) });
}

export function useNotificationPreferences() {
  return useQuery<Awaited<ReturnType<HeraldClient['notifications']['getPreferences']>>, ApiError>(preferencesQuery(useHeraldClient()));
}

export function useUpdateNotificationPreferences() {
  return useMutation({ ...updatePreferencesMutation(useHeraldClient(), useQueryClient()) });
}

interface StreamHookOptions {
  enabled?: boolean;
  onNotification?: (n: Notification) => void;
  /** After the cache took the change in (another tab's action, a snooze that ended…). */
  onNotificationsChanged?: (change: InboxChange) => void;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the badge and lists live over the SSE stream (polling when it cannot connect): sets the
 * counts as they change, applies each change (from this tab, another, or the server) to the
 * cached lists at once and refetches them, and refetches lists when a notification arrives.
 */
export function useNotificationStream(options: StreamHookOptions = {}): StreamStatus {
  const client = useHeraldClient();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const callbacks = useRef(options);
  callbacks.current = options;
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return undefined;
    const cache = streamCacheUpdates(queryClient);
    const subscription = client.subscribe({
      ...cache,
      onStatus: setStatus,
      onNotification: (n) => {
        cache.onNotification(n);
        callbacks.current.onNotification?.(n);
      },
      onNotificationsChanged: (change) => {
        cache.onNotificationsChanged(change);
        callbacks.current.onNotificationsChanged?.(change);
      },
      onError: (error) => callbacks.current.onError?.(error),
    });
    return () => subscription.close();
  }, [client, queryClient, enabled]);
  return status;
}

export function useJobHealth() {
  return useQuery(adminQueries.jobHealth(useHeraldClient()));
}

export function useAggregationLogs(filters: AggregationLogFilters = {}) {
  return useQuery(adminQueries.aggregationLogs(useHeraldClient(), filters));
}

export function useSearchIndexStats() {
  return useQuery(adminQueries.searchIndexStats(useHeraldClient()));
}

export function useNotificationStats() {
  return useQuery(adminQueries.notificationStats(useHeraldClient()));
}

export function useRetryJob() {
  return useMutation({ ...retryJobMutation(useHeraldClient(), useQueryClient()) });
}
