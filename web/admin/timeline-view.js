/* global document, window, FormData */
// The Emails section's tracing tools: the last day's emails by outcome and transport, a
// notification search (id, user id or email) and one notification's timeline. A "Timeline" link
// anywhere on the page is an ordinary #timeline/<id> anchor; this module answers the hash.
import { api, describeError, qs } from './api.js';
import { badge, h, table, timeAgo, update } from './dom.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^#timeline\/([0-9a-f-]{36})$/i;
const STAGE_KIND = {
  'email-sent': 'ok', 'email-captured': 'info', delivered: 'ok', read: 'ok', 'delivery-job-done': 'ok',
  'email-suppressed': 'warn', 'email-held': 'warn', 'email-retrying': 'warn', snoozed: 'warn',
  'email-failed': 'bad', bounced: 'bad', complained: 'bad', 'delivery-job-failed': 'bad',
};
const $ = (id) => document.getElementById(id);

/** 09:00:01.234 UTC, 2026-03-01: a timeline's steps are seconds apart, so the clock shows milliseconds. */
const instant = (iso) => `${iso.slice(11, 23)} UTC, ${iso.slice(0, 10)}`;

/** The few details of a stage worth a line; the rest stays in the API answer. */
function summary(e) {
  const d = e.detail ?? {};
  const parts = {
    'email-sent': [d.transport && `via ${d.transport}`, d.smtpResponse, d.attempts > 1 && `${d.attempts} attempts`],
    'email-captured': ['captured (no SMTP_URL)'],
    'email-claimed': [d.to && `to ${d.to}`, d.messageId],
    'email-suppressed': [d.reason],
    'email-failed': [d.error, d.attempts && `${d.attempts} attempts`],
    'email-retrying': [d.error, d.attempts && `attempt ${d.attempts}`],
    'email-held': [d.heldUntil && `quiet hours until ${instant(d.heldUntil)}`],
    relayed: [d.outboxId && `outbox #${d.outboxId}`, d.held && 'held run'],
    delivered: [d.provider], bounced: [d.provider, d.permanent ? 'permanent' : 'transient', d.detail], complained: [d.provider, d.detail],
    digest: [d.frequency, d.status && `email ${d.status}`, d.transport && `via ${d.transport}`],
    visible: [d.reason === 'snooze-ended' ? 'back after a snooze' : null],
    snoozed: [d.until && `until ${instant(d.until)}`],
  }[e.stage] ?? [];
  return parts.filter(Boolean).join(' · ');
}

export function renderTimeline(el, data) {
  const n = data.notification;
  update(el,
    h('h3', { id: 'timeline-title', tabindex: '-1' }, `Timeline of “${n.title}”`),
    h('p', { class: 'muted' }, `${n.type} · ${n.priority} · to ${n.userEmail} · notification ${n.id}`),
    h('ol', { class: 'timeline', 'aria-labelledby': 'timeline-title' }, data.events.map((e) => h('li', { class: 'timeline-step', dataset: { stage: e.stage } },
      h('time', { datetime: e.at }, instant(e.at)), ' ',
      badge(e.stage, STAGE_KIND[e.stage] ?? 'info'), ' ',
      h('span', { class: 'timeline-detail' }, summary(e))))));
}

export function renderSearchResults(el, res) {
  update(el, table({
    caption: 'Notifications found', key: 'notif-search', rows: res.data, empty: 'No notification matches.',
    columns: [
      { label: 'Created', cell: (n) => timeAgo(n.createdAt) },
      { label: 'Title', wrap: true, cell: (n) => n.title },
      { label: 'Recipient', cell: (n) => n.userEmail },
      { label: 'State', cell: (n) => (n.readAt ? badge('read', 'ok') : n.seenAt ? badge('seen', 'info') : badge('unread', 'warn')) },
      { label: 'Timeline', cell: (n) => h('a', { href: `#timeline/${n.id}`, dataset: { focusKey: `tl-${n.id}` } }, 'Timeline') },
    ],
  }), res.pagination && res.pagination.total > res.data.length ? h('p', { class: 'muted' }, `${res.data.length} newest of ${res.pagination.total}.`) : null);
}

/** A titled list of counts; the title names it for screen readers too. */
function list(title, entries) {
  return h('div', {}, h('p', { class: 'muted counts-title' }, title),
    h('dl', { class: 'counts', 'aria-label': `Emails ${title.toLowerCase()}` }, entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])));
}

export function renderEmailSummary(el, data) {
  const counts = (o) => Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
  update(el,
    h('p', { class: 'muted' }, `Last ${data.hours} h: ${data.total} email${data.total === 1 ? '' : 's'}.`),
    data.total === 0 ? null : h('div', { class: 'summary-lists' },
      list('By outcome', counts(data.byStatus)),
      list('By transport', counts(data.byTransport).map(([k, v]) => [k === 'none' ? 'no transport' : k, v]))));
}

/** A search box's text as the API's query: an email, or a UUID (a notification's id, else a user's). */
async function search(text) {
  const q = text.trim();
  if (q.includes('@')) return api(`/api/admin/notifications${qs({ email: q, pageSize: 20 })}`);
  if (!UUID.test(q)) throw new Error('Enter a notification id, a user id or an email address.');
  const byId = await api(`/api/admin/notifications${qs({ id: q })}`);
  return byId.data.length ? byId : api(`/api/admin/notifications${qs({ userId: q, pageSize: 20 })}`);
}

async function openFromHash() {
  const id = HASH.exec(window.location.hash)?.[1];
  if (!id) return;
  const el = $('timeline-body');
  el.hidden = false;
  try {
    renderTimeline(el, (await api(`/api/admin/notifications/${id}/timeline`)).data);
    $('timeline-title')?.focus();
  } catch (err) {
    update(el, h('p', { class: 'error-text', role: 'alert' }, describeError(err)));
  }
}

export function setupTimeline() {
  $('notif-search-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('notif-search-error').textContent = '';
    try {
      renderSearchResults($('notif-search-body'), await search(String(new FormData(event.currentTarget).get('q') ?? '')));
    } catch (err) {
      $('notif-search-error').textContent = err.status === undefined ? err.message : describeError(err);
    }
  });
  window.addEventListener('hashchange', () => void openFromHash());
  void openFromHash();
}
