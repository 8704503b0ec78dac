import type { NotificationPriority, NotificationType } from './types.js';

/** Relative time as the guide shows it: "Just now", "5m ago", "3h ago", "2d ago", then the date. */
export function formatNotificationTime(timestamp: string, now: Date = new Date()): string {
  const date = new Date(timestamp);
  const diffMs = now.getTime() - date.getTime();
  const minutes = Math.floor(diffMs / 60_000);
  const hours = Math.floor(diffMs / 3_600_000);
  const days = Math.floor(diffMs / 86_400_000);
  if (minutes < 1) return 'Just now';
  if (minutes < 60) return `${minutes}m ago`;
  if (hours < 24) return `${hours}h ago`;
  if (days < 7) return `${days}d ago`;
  return date.toLocaleDateString();
}

const PRIORITY_COLORS: Record<NotificationPriority, string> = { URGENT: 'red', HIGH: 'orange', MEDIUM: 'blue', LOW: 'gray' };

/** Badge colour of a priority (the guide's names: red, orange, blue, gray). */
export function getPriorityColor(priority: NotificationPriority): string {
  return PRIORITY_COLORS[priority] ?? 'gray';
}

const ICONS: Record<NotificationType, string> = {
  LICENSE: '📄', PAYOUT: '💰', ROYALTY: '💵', PROJECT: '🎯', SYSTEM: '🔔', MESSAGE: '💬', POST_ASSIGNED: '📝', POST_STATUS_CHANGED: '📋', BLOG: '📰',
};

export function getNotificationIcon(type: NotificationType): string {
  return ICONS[type] ?? '🔔';
}

/** The bell's badge: nothing at 0, "99+" above 99. */
export function formatBadgeCount(count: number): string {
  if (count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}
