import {
  formatNotificationTime, getNotificationIcon, getPriorityColor, isApiError, NOTIFICATION_PRIORITIES, NOTIFICATION_TYPES, type Notification, type NotificationFilters,
} from '@herald/client';
import { useDeleteNotification, useMarkNotificationRead, useNotifications } from '@herald/client/react';
import { labelOf } from './labels.js';

interface ListProps {
  filters: NotificationFilters;
  onFilters: (filters: NotificationFilters) => void;
  announce: (text: string) => void;
}

function Filters({ filters, onFilters }: Pick<ListProps, 'filters' | 'onFilters'>) {
  const set = (patch: NotificationFilters) => onFilters({ ...filters, ...patch, page: 1 });
  const read = filters.read === undefined ? '' : String(filters.read);
  return (
    <form className="filters" aria-label="Filter notifications" onSubmit={(e) => e.preventDefault()}>
      <label>Show
        <select id="filter-read" value={read} onChange={(e) => set({ read: e.target.value === '' ? undefined : e.target.value === 'true' })}>
          <option value="">All</option>
          <option value="false">Unread</option>
          <option value="true">Read</option>
        </select>
      </label>
      <label>Type
        <select id="filter-type" value={filters.type ?? ''} onChange={(e) => set({ type: (e.target.value || undefined) as NotificationFilters['type'] })}>
          <option value="">All types</option>
          {NOTIFICATION_TYPES.map((t) => <option key={t} value={t}>{labelOf(t)}</option>)}
        </select>
      </label>
      <label>Priority
        <select id="filter-priority" value={filters.priority ?? ''} onChange={(e) => set({ priority: (e.target.value || undefined) as NotificationFilters['priority'] })}>
          <option value="">All priorities</option>
          {[...NOTIFICATION_PRIORITIES].reverse().map((p) => <option key={p} value={p}>{labelOf(p)}</option>)}
        </select>
      </label>
    </form>
  );
}

function Item({ notification: n, announce }: { notification: Notification; announce: ListProps['announce'] }) {
  const markRead = useMarkNotificationRead();
  const remove = useDeleteNotification();
  const color = getPriorityColor(n.priority);

  async function open() {
    try {
      if (!n.read) await markRead.mutateAsync(n.id);
    } catch (error) {
      if (isApiError(error)) return; // shown in the banner; do not leave the page
    }
    if (n.actionUrl) window.location.assign(n.actionUrl);
    else if (!n.read) announce(`Marked as read: ${n.title}`);
  }

  return (
    <li className={`item ${n.read ? 'read' : 'unread'}`} data-id={n.id}>
      <button type="button" className="open" onClick={() => void open()} aria-describedby={`meta-${n.id}`}>
        <span className="icon" aria-hidden="true">{getNotificationIcon(n.type)}</span>
        <span className="text">
          <span className="title">{n.read ? null : <span className="visually-hidden">Unread: </span>}{n.title}</span>
          <span className="message">{n.message}</span>
        </span>
      </button>
      <p className="meta" id={`meta-${n.id}`}>
        <span className={`priority priority-${color}`}>{labelOf(n.priority)}</span>
        <span>{labelOf(n.type)}</span>
        <time dateTime={n.createdAt} title={new Date(n.createdAt).toLocaleString()}>{formatNotificationTime(n.createdAt)}</time>
        {n.actionUrl ? <span className="visually-hidden">Opens a link.</span> : null}
      </p>
      <button
        type="button" className="delete secondary" aria-label={`Delete notification: ${n.title}`} disabled={remove.isPending}
        // The promise, not mutate's callbacks: those are dropped once the refetch has unmounted this item.
        onClick={() => remove.mutateAsync(n.id).then(() => announce(`Deleted: ${n.title}`), () => undefined)}
      >Delete</button>
    </li>
  );
}

export function NotificationList({ filters, onFilters, announce }: ListProps) {
  const list = useNotifications(filters);
  const page = list.data?.pagination;
  const items = list.data?.data ?? [];
  return (
    <>
      <Filters filters={filters} onFilters={onFilters} />
      {list.isPending ? <p className="muted" role="status">Loading notifications…</p> : null}
      {list.isError && !list.data ? <p className="muted">Notifications could not be loaded. <button type="button" className="link" onClick={() => void list.refetch()}>Try again</button></p> : null}
      {list.data && items.length === 0 ? <p className="empty">{filters.read === false ? 'You are all caught up.' : 'No notifications here.'}</p> : null}
      <ul className="items" aria-label="Notifications" aria-busy={list.isFetching}>
        {items.map((n) => <Item key={n.id} notification={n} announce={announce} />)}
      </ul>
      {page && page.totalPages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={page.page <= 1} onClick={() => onFilters({ ...filters, page: page.page - 1 })}>Previous</button>
          <span id="page-status">Page {page.page} of {page.totalPages} · {page.total} notifications</span>
          <button type="button" className="secondary" disabled={page.page >= page.totalPages} onClick={() => onFilters({ ...filters, page: page.page + 1 })}>Next</button>
        </nav>
      ) : null}
    </>
  );
}
