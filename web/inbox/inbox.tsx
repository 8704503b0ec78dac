import { formatBadgeCount, isApiError, type NotificationFilters, type User } from '@herald/client';
import { useHeraldClient, useMarkAllNotificationsRead, useMarkAllNotificationsSeen, useNotificationStream, useUnreadCount } from '@herald/client/react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { Banner } from './banner.js';
import { NotificationList } from './list.js';
import { Preferences } from './preferences.js';
import { problemOf, setProblem } from './problems.js';
import { TabBar } from './tab-bar.js';
import { tabById, tabFilters, type TabId } from './tabs.js';

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
  const [tabId, setTabId] = useState<TabId>('all');
  const [filters, setFilters] = useState<NotificationFilters>({ page: 1, pageSize: 20 });
  const [announcement, announce] = useAnnouncer();
  // One query for the bell and the tabs: the stream keeps count and unseen current, byType is refetched.
  const counts = useUnreadCount({ by: 'type' });
  const unread = counts.data?.data.count ?? 0;
  const unseen = counts.data?.data.unseen ?? 0;
  const markAll = useMarkAllNotificationsRead();
  const seenAll = useMarkAllNotificationsSeen();
  const heading = useRef<HTMLHeadingElement>(null);
  const tab = tabById(tabId);
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

  /** Opening the bell: what it announced is now seen (the badge clears; unread stays unread). */
  function openBell() {
    heading.current?.focus();
    if (unseen > 0 && !seenAll.isPending) void seenAll.mutateAsync().catch(() => undefined);
  }

  function selectTab(id: TabId) {
    setTabId(id);
    setFilters((f) => ({ ...f, page: 1 }));
  }

  const badge = formatBadgeCount(unseen);
  return (
    <>
      <header className="topbar">
        <p className="brand">Herald</p>
        <div className="session">
          <span className="stream" data-status={stream} title="Live updates">{STREAM_LABELS[stream]}</span>
          <button type="button" className="bell" id="bell" onClick={openBell} aria-label={unseen ? `Notifications, ${unseen} new` : 'Notifications, nothing new'}>
            <span aria-hidden="true">🔔</span>
            {badge ? <span className="badge" id="unseen-badge" aria-hidden="true">{badge}</span> : null}
          </button>
          <span className="whoami">{user.email}</span>
          <button type="button" className="secondary" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <Banner />
      <div className="visually-hidden" role="status" aria-live="polite" id="announcer">{announcement}</div>
      <main id="main" tabIndex={-1} className="layout">
        <section className="card" aria-labelledby="inbox-title">
          <div className="section-head">
            <h1 id="inbox-title" tabIndex={-1} ref={heading}>Notifications</h1>
            <button
              type="button" disabled={unread === 0 || markAll.isPending}
              onClick={() => markAll.mutateAsync().then((r) => announce(`${r.data.count} marked as read`), () => undefined)}
            >Mark all read</button>
          </div>
          <TabBar current={tabId} counts={counts.data?.data} onSelect={selectTab} />
          <div role="tabpanel" id="inbox-panel" aria-labelledby={`tab-${tabId}`}>
            {/* A list per tab: its selection starts empty. */}
            <NotificationList
              key={tabId} filters={{ ...filters, ...tabFilters(tab) }} onFilters={({ types: _t, archived: _a, ...rest }) => setFilters(rest)}
              archiveView={tabId === 'archive'} announce={announce}
            />
          </div>
        </section>
        <Preferences />
      </main>
    </>
  );
}
