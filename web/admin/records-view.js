/* global FormData */
import { badge, formatDate, h, pager, table, timeAgo, update } from './dom.js';

const STATUS_KIND = { COMPLETED: 'ok', FAILED: 'bad', PARTIAL: 'warn', RUNNING: 'info', sent: 'ok', captured: 'info', sending: 'warn', failed: 'bad' };

/** The filter form's values as API parameters; an end date covers that whole (UTC) day. */
export function logFilters(form) {
  const data = Object.fromEntries(new FormData(form));
  return {
    jobType: data.jobType || undefined,
    status: data.status || undefined,
    startDate: data.startDate || undefined,
    endDate: data.endDate ? `${data.endDate}T23:59:59.999Z` : undefined,
  };
}

export function filterProblem(form) {
  const { startDate, endDate } = Object.fromEntries(new FormData(form));
  return startDate && endDate && startDate > endDate ? 'The start date must not be after the end date.' : '';
}

const seconds = (s) => (s === null || s === undefined ? '—' : `${Number(s).toFixed(1)} s`);

export function renderLogs(el, res, go) {
  update(el,
    table({
      caption: 'Aggregation runs', key: 'logs', rows: res.data, empty: 'No aggregation runs match these filters.',
      columns: [
        { label: 'Started', cell: (r) => formatDate(r.startedAt) },
        { label: 'Type', cell: (r) => r.jobType },
        { label: 'Period', cell: (r) => [formatDate(r.periodStartDate), h('span', { class: 'cell-note' }, `to ${formatDate(r.periodEndDate)}`)] },
        { label: 'Status', cell: (r) => badge(r.status, STATUS_KIND[r.status] ?? 'info') },
        { label: 'Processed', numeric: true, cell: (r) => r.recordsProcessed ?? 0 },
        { label: 'Created', numeric: true, cell: (r) => r.recordsCreated ?? 0 },
        { label: 'Updated', numeric: true, cell: (r) => r.recordsUpdated ?? 0 },
        { label: 'Errors', numeric: true, cell: (r) => r.errorsCount ?? 0 },
        { label: 'Duration', numeric: true, cell: (r) => seconds(r.durationSeconds) },
        { label: 'Error', wrap: true, cell: (r) => (r.errorMessage ? h('span', { class: 'error-text' }, r.errorMessage) : '—') },
      ],
    }),
    pager('Aggregation log pages', res.pagination, go));
}

function emailBody(mail) {
  if (!mail.html && !mail.text) return null;
  const details = h('details', { dataset: { key: `mail-${mail.id}` } }, h('summary', { dataset: { focusKey: `mail-${mail.id}` } }, 'Show message'));
  // Filled only when opened; sandbox="" gives the mail no scripts, forms or origin of its own.
  details.addEventListener('toggle', () => {
    if (!details.open || details.querySelector('iframe, pre')) return;
    details.append(mail.html
      ? h('iframe', { sandbox: '', srcdoc: mail.html, title: `Body of the email “${mail.subject}”`, class: 'mail-frame', referrerpolicy: 'no-referrer' })
      : h('pre', { class: 'mail-text' }, mail.text));
  });
  return details;
}

export function renderEmails(el, res, go) {
  if (res.data.length === 0) return update(el, h('p', { class: 'empty' }, 'No emails yet.'));
  update(el,
    h('ul', { class: 'mails' }, res.data.map((m) => h('li', { class: 'mail' },
      h('div', { class: 'mail-head' },
        h('h3', { class: 'mail-subject' }, m.subject || '(no subject)'),
        badge(m.status, STATUS_KIND[m.status] ?? 'info')),
      h('p', { class: 'muted' }, `To ${m.to} · ${m.kind ?? 'email'} · attempts ${m.attempts ?? 0} · `, timeAgo(m.sentAt ?? m.createdAt),
        m.html || m.text ? null : ' · body kept only for captured emails',
        m.notificationId ? [' · ', h('a', { href: `#timeline/${m.notificationId}`, dataset: { focusKey: `tl-mail-${m.id}` } }, 'Timeline')] : null),
      m.error ? h('p', { class: 'error-text' }, m.error) : null,
      emailBody(m)))),
    pager('Email pages', res.pagination, go));
}

