import { formatBadgeCount, isApiError, type NotificationFilters, type User } from '@herald/client';
import { useHeraldClient, useMarkAllNotificationsRead, useNotificationStream, useUnreadCount } from '@herald/client/react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Banner } from './banner.js';
import { NotificationList } from './list.js';
import { Preferences } from './preferences.js';
import { problemOf, setProblem } from './problems.js';

const STREAM_LABELS = { connecting: 'Connecting…', open: 'Live', polling: 'Updating every 30 s', closed: 'Offline' } as const;

/** Polite announcements for screen readers (new notifications, results of actions). */
function useAnnouncer(): [string, (text: string) => void] {
  const [text, setText] = useState('');
  const announce = useCallback((next: string) => {
    setText('');
    // A new node each time, so the same words are announced again.
    requestAnimationFrame(() => setText(next));
  }, []);
  return [text, announce];
}

export function Inbox({ user }: { user: User }) {
  const client = useHeraldClient();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<NotificationFilters>({ page: 1, pageSize: 20 });
  const [announcement, announce] = useAnnouncer();
  const count = useUnreadCount();
  const unread = count.data?.data.count ?? 0;
  const markAll = useMarkAllNotificationsRead();
  const stream = useNotificationStream({
    onNotification: (n) => announce(`New notification: ${n.title}`),
    // Signed out elsewhere (the stream is ended with the session): back to the sign-in form.
    onError: (error) => (isApiError(error) && error.kind === 'unauthorized' ? setProblem(problemOf(error)) : undefined),
  });

  async function signOut() {
    await client.auth.logout().catch(() => undefined);
    setProblem(null);
    queryClient.clear();
    await queryClient.invalidateQueries({ queryKey: ['me'] });
  }

  const badge = formatBadgeCount(unread);
  return (
    <>
      <header className="topbar">
        <p className="brand">Herald</p>
        <div className="session">
          <span className="stream" data-status={stream} title="Live updates">{STREAM_LABELS[stream]}</span>
          <a className="bell" href="#inbox-title" aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications, none unread'}>
            <span aria-hidden="true">🔔</span>
            {badge ? <span className="badge" id="unread-badge" aria-hidden="true">{badge}</span> : null}
          </a>
          <span className="whoami">{user.email}</span>
          <button type="button" className="secondary" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <Banner />
      <div className="visually-hidden" role="status" aria-live="polite" id="announcer">{announcement}</div>
      <main id="main" tabIndex={-1} className="layout">
        <section className="card" aria-labelledby="inbox-title">
          <div className="section-head">
            <h1 id="inbox-title" tabIndex={-1}>Notifications</h1>
            <button
              type="button" disabled={unread === 0 || markAll.isPending}
              onClick={() => markAll.mutateAsync().then((r) => announce(`${r.data.count} marked as read`), () => undefined)}
            >Mark all read</button>
          </div>
          <NotificationList filters={filters} onFilters={setFilters} announce={announce} />
        </section>
        <Preferences />
      </main>
    </>
  );
}
