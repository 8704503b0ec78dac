import { formatNotificationTime, getNotificationIcon, getPriorityColor, isApiError, type Notification } from '@herald/client';
import {
  useArchiveNotification, useDeleteNotification, useMarkNotificationRead, useMarkNotificationUnread, useSnoozeNotification, useUnarchiveNotification,
} from '@herald/client/react';
import { useRef, useState, type KeyboardEvent } from 'react';
import { labelOf } from './labels.js';
import { formatWhen, snoozeChoices, type SnoozeChoice } from './snooze.js';

type Announce = (text: string) => void;

// Each action's promise, not mutate's callbacks: those are dropped once the item has left the
// list (optimistically, before the answer), and the announcement would be lost with them.
const quietly = () => undefined;

/** In 1 hour / tomorrow morning / next week, as a disclosure: plain buttons, no script-only widget. */
function SnoozeMenu({ notification: n, announce }: { notification: Notification; announce: Announce }) {
  const snooze = useSnoozeNotification();
  const menu = useRef<HTMLDetailsElement>(null);
  // Its choices exist only while it is open, worked out then: "in 1 hour" is from the click.
  const [choices, setChoices] = useState<SnoozeChoice[] | null>(null);
  const close = () => {
    if (menu.current) menu.current.open = false;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !menu.current?.open) return;
    close();
    menu.current.querySelector('summary')?.focus();
  };
  return (
    <details className="menu" ref={menu} onToggle={() => setChoices(menu.current?.open ? snoozeChoices() : null)} onKeyDown={onKeyDown}>
      <summary className="action" aria-label={`Snooze: ${n.title}`}>Snooze</summary>
      {choices ? (
        <div className="menu-items" role="group" aria-label={`Snooze ${n.title} until`}>
          {choices.map((choice) => (
            <button
              key={choice.id} type="button" className="secondary" data-snooze={choice.id} disabled={snooze.isPending}
              onClick={() => {
                close();
                void snooze.mutateAsync({ id: n.id, until: choice.until }).then(() => announce(`Snoozed until ${formatWhen(choice.until)}: ${n.title}`), quietly);
              }}
            >
              {choice.label} <span className="when">{formatWhen(choice.until)}</span>
            </button>
          ))}
        </div>
      ) : null}
    </details>
  );
}

interface ItemProps {
  notification: Notification;
  selected: boolean;
  onSelect: (id: string, on: boolean) => void;
  announce: Announce;
}

/** One notification: open (marks read), select, read/unread, archive/unarchive, snooze, delete. */
export function Item({ notification: n, selected, onSelect, announce }: ItemProps) {
  const markRead = useMarkNotificationRead();
  const markUnread = useMarkNotificationUnread();
  const archive = useArchiveNotification();
  const unarchive = useUnarchiveNotification();
  const remove = useDeleteNotification();
  const color = getPriorityColor(n.priority);
  const isNew = !n.read && !n.seen;

  async function open() {
    try {
      if (!n.read) await markRead.mutateAsync(n.id);
    } catch (error) {
      if (isApiError(error)) return; // shown in the banner; do not leave the page
    }
    if (n.actionUrl) window.location.assign(n.actionUrl);
    else if (!n.read) announce(`Marked as read: ${n.title}`);
  }

  const toggleRead = () => (n.read
    ? markUnread.mutateAsync(n.id).then(() => announce(`Marked as unread: ${n.title}`), quietly)
    : markRead.mutateAsync(n.id).then(() => announce(`Marked as read: ${n.title}`), quietly));
  const toggleArchive = () => (n.archived
    ? unarchive.mutateAsync(n.id).then(() => announce(`Moved back to the inbox: ${n.title}`), quietly)
    : archive.mutateAsync(n.id).then(() => announce(`Archived: ${n.title}`), quietly));

  return (
    <li className={`item ${n.read ? 'read' : 'unread'}${selected ? ' selected' : ''}`} data-id={n.id} data-seen={String(n.seen)}>
      <input type="checkbox" className="select" aria-label={`Select: ${n.title}`} checked={selected} onChange={(e) => onSelect(n.id, e.target.checked)} />
      <button type="button" className="open" onClick={() => void open()} aria-describedby={`meta-${n.id}`}>
        <span className="icon" aria-hidden="true">{getNotificationIcon(n.type)}</span>
        <span className="text">
          <span className="title">{n.read ? null : <span className="visually-hidden">Unread: </span>}{n.title}</span>
          <span className="message">{n.message}</span>
        </span>
      </button>
      <p className="meta" id={`meta-${n.id}`}>
        {isNew ? <span className="new">New</span> : null}
        <span className={`priority priority-${color}`}>{labelOf(n.priority)}</span>
        <span>{labelOf(n.type)}</span>
        <time dateTime={n.createdAt} title={new Date(n.createdAt).toLocaleString()}>{formatNotificationTime(n.createdAt)}</time>
        {n.actionUrl ? <span className="visually-hidden">Opens a link.</span> : null}
      </p>
      <div className="actions">
        <button type="button" className="action secondary" aria-label={`${n.read ? 'Mark unread' : 'Mark read'}: ${n.title}`} onClick={() => void toggleRead()}>
          {n.read ? 'Mark unread' : 'Mark read'}
        </button>
        <button type="button" className="action secondary" aria-label={`${n.archived ? 'Unarchive' : 'Archive'}: ${n.title}`} onClick={() => void toggleArchive()}>
          {n.archived ? 'Unarchive' : 'Archive'}
        </button>
        {n.archived ? null : <SnoozeMenu notification={n} announce={announce} />}
        <button
          type="button" className="action delete secondary" aria-label={`Delete notification: ${n.title}`} disabled={remove.isPending}
          onClick={() => void remove.mutateAsync(n.id).then(() => announce(`Deleted: ${n.title}`), quietly)}
        >Delete</button>
      </div>
    </li>
  );
}
