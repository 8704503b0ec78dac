import { NOTIFICATION_PRIORITIES, type BulkAction, type NotificationFilters } from '@herald/client';
import { useBulkNotificationAction, useNotifications } from '@herald/client/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Item } from './item.js';
import { labelOf } from './labels.js';

interface ListProps {
  filters: NotificationFilters;
  onFilters: (filters: NotificationFilters) => void;
  /** The archive tab: bulk "Unarchive" instead of "Archive". */
  archiveView: boolean;
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
      <label>Priority
        <select id="filter-priority" value={filters.priority ?? ''} onChange={(e) => set({ priority: (e.target.value || undefined) as NotificationFilters['priority'] })}>
          <option value="">All priorities</option>
          {[...NOTIFICATION_PRIORITIES].reverse().map((p) => <option key={p} value={p}>{labelOf(p)}</option>)}
        </select>
      </label>
    </form>
  );
}

const DONE: Record<BulkAction, string> = {
  read: 'marked as read', unread: 'marked as unread', seen: 'marked as seen', archive: 'archived', unarchive: 'moved back to the inbox', delete: 'deleted',
};

/** What to do with the selected notifications (one request for all of them). */
function BulkBar({ ids, archiveView, onDone, announce }: { ids: string[]; archiveView: boolean; onDone: () => void; announce: ListProps['announce'] }) {
  const bulk = useBulkNotificationAction();
  const run = (action: BulkAction) => bulk.mutateAsync({ ids, action }).then((r) => {
    onDone();
    announce(`${r.data.count} ${r.data.count === 1 ? 'notification' : 'notifications'} ${DONE[action]}`);
  }, () => undefined); // refused: the banner says why, the selection stays for another try
  const button = (action: BulkAction, text: string, className = 'secondary') => (
    <button type="button" className={className} disabled={bulk.isPending} onClick={() => void run(action)}>{text}</button>
  );
  return (
    <div className="bulk" role="region" aria-label="Selected notifications">
      <span id="selected-count" aria-live="polite">{ids.length} selected</span>
      {button('read', 'Mark read')}
      {button('unread', 'Mark unread')}
      {archiveView ? button('unarchive', 'Unarchive') : button('archive', 'Archive')}
      {button('delete', 'Delete', 'danger')}
      <button type="button" className="link" onClick={onDone}>Clear selection</button>
    </div>
  );
}

export function NotificationList({ filters, onFilters, archiveView, announce }: ListProps) {
  const list = useNotifications(filters);
  const page = list.data?.pagination;
  const items = useMemo(() => list.data?.data ?? [], [list.data]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  // Only what is on screen stays selected: an item that left (archived, deleted, snoozed here or in another tab) drops out.
  const selected = useMemo(() => items.filter((n) => picked.has(n.id)).map((n) => n.id), [items, picked]);
  const all = items.length > 0 && selected.length === items.length;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = selected.length > 0 && !all;
  }, [selected.length, all]);
  // A bulk delete or archive can empty the last page: go to the one that is left.
  useEffect(() => {
    if (page && page.page > 1 && page.page > page.totalPages) onFilters({ ...filters, page: Math.max(1, page.totalPages) });
  }, [page, filters, onFilters]);

  const pick = (id: string, on: boolean) => setPicked((p) => (on ? new Set([...p, id]) : new Set([...p].filter((x) => x !== id))));
  const goTo = (next: NotificationFilters) => {
    setPicked(new Set());
    onFilters(next);
  };
  return (
    <>
      <Filters filters={filters} onFilters={goTo} />
      {list.isPending ? <p className="muted" role="status">Loading notifications…</p> : null}
      {list.isError && !list.data ? <p className="muted">Notifications could not be loaded. <button type="button" className="link" onClick={() => void list.refetch()}>Try again</button></p> : null}
      {list.data && items.length === 0 ? (
        <p className="empty">{archiveView ? 'Nothing archived.' : filters.read === false ? 'You are all caught up.' : 'No notifications here.'}</p>
      ) : null}
      {items.length > 0 ? (
        <div className="list-head">
          <label className="check">
            <input type="checkbox" id="select-all" ref={selectAll} checked={all} onChange={(e) => setPicked(e.target.checked ? new Set(items.map((n) => n.id)) : new Set())} />
            Select all on this page
          </label>
          {selected.length ? <BulkBar ids={selected} archiveView={archiveView} onDone={() => setPicked(new Set())} announce={announce} /> : null}
        </div>
      ) : null}
      <ul className="items" aria-label="Notifications" aria-busy={list.isFetching}>
        {items.map((n) => <Item key={n.id} notification={n} selected={picked.has(n.id)} onSelect={pick} announce={announce} />)}
      </ul>
      {page && page.totalPages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={page.page <= 1} onClick={() => goTo({ ...filters, page: page.page - 1 })}>Previous</button>
          <span id="page-status">Page {page.page} of {page.totalPages} · {page.total} notifications</span>
          <button type="button" className="secondary" disabled={page.page >= page.totalPages} onClick={() => goTo({ ...filters, page: page.page + 1 })}>Next</button>
        </nav>
      ) : null}
    </>
  );
}
