/* global document, FormData */
// Job search: one box over every queue's live jobs and job history (GET /api/admin/jobs/search),
// facets as filters, pages, and a hit's details (a live job's from the job API, a history row's
// as recorded). Each queue row of the Queues table has a field that searches that queue.
import { api, describeError, qs } from './api.js';
import { badge, formatDate, h, pager, table, update } from './dom.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const STATE_KIND = { completed: 'ok', failed: 'bad', active: 'info', waiting: 'muted', delayed: 'warn', prioritized: 'muted', 'waiting-children': 'muted' };
const state = { queues: [], ctx: null, last: null, drafts: new Map() };

const iso = (ms) => (ms ? new Date(ms).toISOString() : null);
const duration = (ms) => (ms === null ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const count = (n) => n.toLocaleString('en');

/** The form as query parameters (empty fields left out by qs()). */
function readForm() {
  const f = new FormData($('search-form'));
  const get = (k) => String(f.get(k) ?? '').trim();
  return { q: get('q'), queue: get('queue'), state: get('state'), from: get('from'), to: get('to') };
}

/** Problems the API would answer with a 400, said before asking. */
function formProblem(query) {
  if (query.from && query.to && query.from > query.to) return 'The "from" date is after the "to" date.';
  if (query.q.length > 400) return 'The search text is longer than 400 characters.';
  return '';
}

async function run(page = 1) {
  const query = readForm();
  $('search-error').textContent = formProblem(query);
  if ($('search-error').textContent) return;
  update($('search-detail'));
  try {
    const res = await api(`/api/admin/jobs/search${qs({ ...query, page, pageSize: PAGE_SIZE })}`);
    state.last = { query, res };
    render(res, query);
  } catch (err) {
    $('search-error').textContent = describeError(err);
  }
}

/** Sets one filter of the form (a facet clicked, a queue row's field) and searches again. */
function filterBy(name, value) {
  $(`search-${name}`).value = value;
  void run(1);
}

function summary(res, query) {
  const { total } = res.pagination;
  const what = query.q ? `for “${query.q}”` : 'of every job';
  const head = res.totalExact ? `${count(total)} ${total === 1 ? 'job' : 'jobs'} ${what}` : `More than ${count(total)} jobs ${what}`;
  const notes = [];
  if (!res.totalExact && res.live.truncated) notes.push('live queues are read up to their newest jobs only');
  if (!res.totalExact && !res.live.truncated) notes.push('history is counted up to a limit (JOB_SEARCH_COUNT_CAP); narrow the search for an exact count');
  if (res.live.scanned) notes.push(`${count(res.live.scanned)} live jobs read`);
  return h('p', { class: 'search-summary', id: 'search-summary' }, h('strong', {}, head), notes.length ? h('span', { class: 'muted' }, ` · ${notes.join(' · ')}`) : null);
}

/** Facets as filter buttons: a count narrows to it; the active one clears its filter. */
function facets(res, query) {
  const group = (name, label, counts) => {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (entries.length === 0) return null;
    const active = query[name];
    return h('div', { class: 'facet', role: 'group', 'aria-label': `${label} filter` },
      h('span', { class: 'facet-label' }, label),
      active ? h('button', { type: 'button', class: 'facet-chip active', 'aria-pressed': 'true', dataset: { focusKey: `facet-${name}-clear` }, onclick: () => filterBy(name, '') },
        `${active} ✕`) : null,
      entries.filter(([value]) => value !== active).map(([value, n]) => h('button', {
        type: 'button', class: 'facet-chip', 'aria-pressed': 'false', 'aria-label': `${label} ${value}: ${n}`, dataset: { focusKey: `facet-${name}-${value}` },
        onclick: () => filterBy(name, value),
      }, `${value} `, h('span', { class: 'facet-count' }, count(n)))));
  };
  return h('div', { class: 'facets' }, group('queue', 'Queue', res.facets.queue), group('state', 'State', res.facets.state));
}

const field = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];

/** A hit's details: a live job from the job API (data, options, stack, logs), a history row as recorded. */
async function showDetail(hit) {
  const el = $('search-detail');
  const title = h('h3', { id: 'search-detail-title', tabindex: '-1' }, `Job ${hit.id} of ${hit.queue}`);
  const common = [
    field('Name', hit.name), field('State', hit.state), field('Source', hit.source === 'live' ? 'live (Redis)' : 'job history'),
    field('Added', formatDate(iso(hit.timestamp))), field('Started', formatDate(iso(hit.processedOn))), field('Finished', formatDate(iso(hit.finishedOn))),
    field('Attempts', String(hit.attemptsMade)), field('Run time', duration(hit.durationMs)), field('Worker', hit.worker), field('Schedule', hit.scheduleId),
    field('Failure', hit.failedReason),
  ];
  if (hit.source === 'history') {
    update(el, title, h('dl', { class: 'detail-list' }, common), h('p', { class: 'muted' }, 'Data as recorded (start):'), h('pre', { class: 'json' }, hit.dataPreview ?? '—'));
    el.querySelector('h3').focus();
    return;
  }
  update(el, title, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const job = (await api(`/api/admin/jobs/${encodeURIComponent(hit.queue)}/${encodeURIComponent(hit.id)}`)).data;
    update(el, title, h('dl', { class: 'detail-list' }, common.map((pair, i) => (i === 1 ? field('State', job.state ?? hit.state) : pair))),
      h('p', { class: 'muted' }, 'Data'), h('pre', { class: 'json' }, JSON.stringify(job.data, null, 2) ?? '—'),
      h('p', { class: 'muted' }, 'Options'), h('pre', { class: 'json' }, JSON.stringify(job.opts, null, 2)),
      job.returnValue !== null ? [h('p', { class: 'muted' }, 'Return value'), h('pre', { class: 'json' }, JSON.stringify(job.returnValue, null, 2))] : null,
      job.stacktrace.length ? [h('p', { class: 'muted' }, 'Stack trace'), h('pre', { class: 'stack' }, job.stacktrace.join('\n\n'))] : null,
      job.logs.length ? [h('p', { class: 'muted' }, 'Logs'), h('pre', { class: 'json' }, job.logs.join('\n'))] : null);
  } catch (err) {
    update(el, title, h('p', { class: 'problem-text' }, err.status === 404 ? 'This job is no longer in its queue (removed or cleaned since).' : describeError(err)));
  }
  el.querySelector('h3').focus();
}

function render(res, query) {
  const rows = res.data;
  update($('search-body'),
    summary(res, query),
    facets(res, query),
    table({
      caption: 'Job search results, newest first', key: 'search', rows,
      empty: query.q ? `No job matches “${query.q}”${query.queue || query.state || query.from || query.to ? ' with these filters' : ''}.` : 'No job matches these filters.',
      columns: [
        { label: 'Time', cell: (j) => formatDate(iso(j.source === 'history' ? j.finishedOn : j.timestamp)) },
        { label: 'Job', cell: (j) => [h('span', { class: 'job-id' }, j.id), h('span', { class: 'cell-note' }, j.name)] },
        { label: 'Queue', cell: (j) => j.queue },
        { label: 'State', cell: (j) => [badge(j.state, STATE_KIND[j.state] ?? 'muted'), h('span', { class: 'cell-note' }, j.source === 'live' ? 'live' : 'history')] },
        { label: 'Attempts · run', numeric: true, cell: (j) => `${j.attemptsMade} · ${duration(j.durationMs)}` },
        { label: 'Failure / data', wrap: true, cell: (j) => (j.failedReason ? h('span', { class: 'error-text' }, j.failedReason) : h('span', { class: 'muted data-preview' }, j.dataPreview ?? '')) },
        {
          label: 'Details',
          cell: (j) => h('button', {
            type: 'button', class: 'secondary', 'aria-label': `Details of job ${j.id} of ${j.queue}`, dataset: { focusKey: `search-open-${j.queue}-${j.id}` },
            onclick: () => void showDetail(j),
          }, 'Details'),
        },
      ],
    }),
    pager('Job search pages', res.pagination, (page) => void run(page)));
}

export function setupSearch(ctx) {
  state.ctx = ctx;
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run(1);
  });
  // The reset event comes before the fields are cleared.
  $('search-form').addEventListener('reset', () => setTimeout(() => {
    $('search-error').textContent = '';
    state.last = null;
    update($('search-body'), h('p', { class: 'muted' }, 'Type a job id, a name, words of a failure or anything in a job\'s data.'));
    update($('search-detail'));
  }));
}

/** The queue filter's options, once the queue list is known (kept across refreshes). */
export function renderSearchQueues(queues) {
  const names = queues.map((q) => q.name);
  if (names.join() === state.queues.join()) return;
  state.queues = names;
  const select = $('search-queue');
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'All queues'), ...names.map((n) => h('option', { value: n }, n)));
  select.value = names.includes(chosen) ? chosen : '';
}

/**
 * The Queues table's per-queue search field. The table is redrawn every few seconds: what was typed
 * (and where the caret was) is kept per queue and put back, so a refresh never eats a keystroke.
 */
export function queueSearchCell(queue) {
  const draft = state.drafts.get(queue) ?? { value: '', start: 0, end: 0 };
  const input = h('input', {
    type: 'search', name: 'q', value: draft.value, maxlength: '400', autocomplete: 'off', spellcheck: 'false', placeholder: 'Search…',
    'aria-label': `Search jobs of ${queue}`, dataset: { focusKey: `queue-search-${queue}` },
    oninput: (e) => state.drafts.set(queue, { value: e.target.value, start: e.target.selectionStart ?? 0, end: e.target.selectionEnd ?? 0 }),
  });
  input.value = draft.value;
  // Where the caret was: an input keeps its selection for when it is focused again (update() refocuses it).
  input.setSelectionRange(draft.start, draft.end);
  return h('form', {
    class: 'queue-search', role: 'search', 'aria-label': `Search ${queue}`,
    onsubmit: (event) => {
      event.preventDefault();
      $('search-q').value = input.value.trim();
      $('search-queue').value = queue;
      $('search-state').value = '';
      state.drafts.delete(queue);
      void run(1).then(() => $('search-title').scrollIntoView({ block: 'start' }));
    },
  }, input, h('button', { type: 'submit', class: 'secondary', 'aria-label': `Search ${queue}`, dataset: { focusKey: `queue-search-go-${queue}` } }, 'Go'));
}
