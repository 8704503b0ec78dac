import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, createElement, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from './errors.js';
import type { HeraldClient } from './index.js';
import {
  adminQueries, deleteMutation, heraldKeys, markAllReadMutation, markReadMutation, notificationsQuery, preferencesQuery, retryJobMutation,
  unreadCountQuery, updatePreferencesMutation,
} from './query-options.js';
import type { StreamStatus } from './subscribe.js';
import type { AggregationLogFilters, Notification, NotificationFilters, UnreadCountResponse } from './types.js';

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

export function useUnreadCount() {
  return useQuery<UnreadCountResponse, ApiError>(unreadCountQuery(useHeraldClient()));
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

export function useNotificationPreferences() {
  return useQuery<Awaited<ReturnType<HeraldClient['notifications']['getPreferences']>>, ApiError>(preferencesQuery(useHeraldClient()));
}

export function useUpdateNotificationPreferences() {
  return useMutation({ ...updatePreferencesMutation(useHeraldClient(), useQueryClient()) });
}

/**
 * Keeps the badge and lists live over the SSE stream (polling when it cannot connect): sets the
 * unread count as it changes and refetches lists when a notification arrives.
 */
export function useNotificationStream(options: { enabled?: boolean; onNotification?: (n: Notification) => void; onError?: (error: unknown) => void } = {}): StreamStatus {
  const client = useHeraldClient();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const callbacks = useRef(options);
  callbacks.current = options;
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return undefined;
    const subscription = client.subscribe({
      onStatus: setStatus,
      onUnreadCount: (count) => queryClient.setQueryData<UnreadCountResponse>(heraldKeys.unreadCount, { success: true, data: { count } }),
      onNotification: (n) => {
        void queryClient.invalidateQueries({ queryKey: heraldKeys.notifications });
        callbacks.current.onNotification?.(n);
      },
      onResync: () => {
        void queryClient.invalidateQueries({ queryKey: heraldKeys.notifications });
        void queryClient.invalidateQueries({ queryKey: heraldKeys.unreadCount });
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
