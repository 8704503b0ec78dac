import { badge, formatDate, h, table } from './dom.js';

// The email group's SMTP transports (issue 18): each worker has its own circuit breakers and
// publishes them with its heartbeat; the health report shows the worst state among the workers.
const STATE = { closed: ['Closed', 'ok'], 'half-open': ['Half-open: trial', 'warn'], open: ['Open', 'bad'] };

/** A table of the transports in SMTP_URL order (smtp-1 first); null when mail is captured (none). */
export function smtpTransports(transports) {
  if (!transports?.length) return null;
  return h('section', { class: 'smtp-transports', 'aria-label': 'SMTP transports' },
    h('h4', {}, 'SMTP transports'),
    table({
      caption: 'SMTP transports in order of preference, as the workers report them', key: 'smtp-transports', rows: transports,
      columns: [
        { label: 'Transport', cell: (t) => [t.name, h('span', { class: 'cell-note' }, t.address)] },
        { label: 'State', cell: (t) => {
          const [text, kind] = STATE[t.state] ?? [t.state, 'warn'];
          return [badge(text, kind), t.openIn > 0 ? h('span', { class: 'cell-note' }, `in ${t.openIn} of ${t.workers} worker(s)`) : null];
        } },
        { label: 'Open until', cell: (t) => (t.openUntil ? formatDate(t.openUntil) : '—') },
        { label: 'Failures in a row', numeric: true, cell: (t) => t.consecutiveFailures },
        { label: 'Trips', numeric: true, cell: (t) => t.trips },
        { label: 'Sent', numeric: true, cell: (t) => t.sent },
        { label: 'Last error', wrap: true, cell: (t) => (t.lastError ? [t.lastError, h('span', { class: 'cell-note' }, formatDate(t.lastErrorAt))] : '—') },
      ],
    }));
}
