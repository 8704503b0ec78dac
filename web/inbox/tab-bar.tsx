import type { UnreadCounts } from '@herald/client';
import { useRef, type KeyboardEvent } from 'react';
import { TABS, tabCount, type TabId } from './tabs.js';

/**
 * The tabs (WAI-ARIA tabs: one tab stop, arrow keys, Home and End move and select), each with its
 * unread count from `unread-count?by=type`. They scroll sideways on a small screen.
 */
export function TabBar({ current, counts, onSelect }: { current: TabId; counts: UnreadCounts | undefined; onSelect: (id: TabId) => void }) {
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  function onKeyDown(event: KeyboardEvent, index: number) {
    const last = TABS.length - 1;
    const moves: Record<string, number> = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    onSelect(TABS[next]!.id);
    tabs.current[next]?.focus();
  }
  return (
    <div className="tabs" role="tablist" aria-label="Notification types">
      {TABS.map((tab, index) => {
        const count = tabCount(tab, counts);
        const selected = tab.id === current;
        return (
          <button
            key={tab.id} ref={(el) => void (tabs.current[index] = el)} type="button" role="tab" id={`tab-${tab.id}`} aria-selected={selected}
            aria-controls="inbox-panel" tabIndex={selected ? 0 : -1} className="tab" onClick={() => onSelect(tab.id)} onKeyDown={(e) => onKeyDown(e, index)}
          >
            {tab.label}
            {count ? <span className="tab-count" data-count={count}><span className="visually-hidden">, </span>{count > 99 ? '99+' : count}<span className="visually-hidden"> unread</span></span> : null}
          </button>
        );
      })}
    </div>
  );
}
