import type { NotificationFilters, NotificationType, UnreadCounts } from '@herald/client';

/**
 * The inbox's tabs: the feed as a whole, one per kind of notification (some kinds grouped, which
 * `types=` allows), and the archive. Every type has a tab: the check below fails to compile when
 * one is missing, so a new type cannot go missing from the page.
 */
export const TABS = [
  { id: 'all', label: 'All', types: [] },
  { id: 'licenses', label: 'Licenses', types: ['LICENSE'] },
  { id: 'earnings', label: 'Earnings', types: ['PAYOUT', 'ROYALTY'] },
  { id: 'projects', label: 'Projects', types: ['PROJECT'] },
  { id: 'messages', label: 'Messages', types: ['MESSAGE'] },
  { id: 'posts', label: 'Posts', types: ['POST_ASSIGNED', 'POST_STATUS_CHANGED', 'BLOG'] },
  { id: 'system', label: 'System', types: ['SYSTEM'] },
  { id: 'archive', label: 'Archive', types: [] },
] as const satisfies ReadonlyArray<{ id: string; label: string; types: readonly NotificationType[] }>;

export type Tab = (typeof TABS)[number];
export type TabId = Tab['id'];

type Listed = (typeof TABS)[number]['types'][number];
const _everyType: [Exclude<NotificationType, Listed>] extends [never] ? true : false = true;

export const tabById = (id: TabId): Tab => TABS.find((t) => t.id === id)!;

/** The list's query for a tab: its types, or the archive. */
export function tabFilters(tab: Tab): Pick<NotificationFilters, 'types' | 'archived'> {
  if (tab.id === 'archive') return { archived: true };
  return tab.types.length ? { types: [...tab.types] } : {};
}

/** Unread in a tab, from `unread-count?by=type` (the archive counts in nothing unread). */
export function tabCount(tab: Tab, counts: UnreadCounts | undefined): number | null {
  if (!counts || tab.id === 'archive') return null;
  if (tab.id === 'all') return counts.count;
  if (!counts.byType) return null;
  return tab.types.reduce((sum, t) => sum + (counts.byType?.[t] ?? 0), 0);
}
