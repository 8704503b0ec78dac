/* global document, FormData */
// The Webhooks section: endpoints (create, test, delete), one endpoint's deliveries with every
// attempt and a Replay button. The signing secret is shown once, right after creation.
import { api, describeError, qs } from './api.js';
import { confirmAction } from './confirm.js';
import { badge, h, pager, table, timeAgo, update } from './dom.js';

const EVENTS = ['notification.created', 'notification.read', 'email.sent', 'email.bounced', 'email.complained', 'email.suppressed', 'digest.sent'];
const STATUS_KIND = { delivered: 'ok', pending: 'warn', failed: 'bad' };
const enc = encodeURIComponent;
const $ = (id) => document.getElementById(id);
const state = { selected: null, page: 1 };

/** The last attempt in a line: status code (or none), duration, error. */
function lastAttempt(d) {
  const a = d.attemptLog.at(-1);
  if (!a) return h('span', { class: 'muted' }, 'not tried yet');
  return [a.statusCode === null ? 'no answer' : `HTTP ${a.statusCode}`, ` · ${a.durationMs} ms`, a.error ? h('span', { class: 'cell-note error-text' }, a.error) : null];
}

function renderDeliveries(el, endpoint, res, ctx) {
  update(el,
    h('h3', { id: 'webhook-deliveries-title', tabindex: '-1' }, `Deliveries to ${endpoint.url}`),
    table({
      caption: `Deliveries to ${endpoint.url}`, key: 'webhook-deliveries', rows: res.data, empty: 'No delivery yet.',
      columns: [
        { label: 'Created', cell: (d) => timeAgo(d.createdAt) },
        { label: 'Event', cell: (d) => [d.event, h('span', { class: 'cell-note' }, d.id)] },
        { label: 'Status', cell: (d) => badge(d.status, STATUS_KIND[d.status] ?? 'info') },
        { label: 'Attempts', numeric: true, cell: (d) => String(d.attempts) },
        { label: 'Last attempt', wrap: true, cell: lastAttempt },
        {
          label: 'Actions',
          cell: (d) => (d.status === 'pending' ? null : h('button', {
            type: 'button', class: 'secondary', 'aria-label': `Replay delivery ${d.id}`, dataset: { focusKey: `replay-${d.id}` },
            onclick: () => ctx.act(async () => {
              await api(`/api/admin/webhooks/${enc(endpoint.id)}/deliveries/${enc(d.id)}/replay`, { method: 'POST' });
              return `Delivery ${d.id} queued again.`;
            }),
          }, 'Replay')),
        },
      ],
    }),
    pager('Delivery pages', res.pagination, (page) => {
      state.page = page;
      void ctx.reload();
    }));
}

function actions(e, ctx) {
  return h('div', { class: 'row-actions' },
    h('button', {
      type: 'button', class: 'secondary', 'aria-label': `Send a test event to ${e.url}`, dataset: { focusKey: `wh-test-${e.id}` },
      onclick: () => ctx.act(async () => {
        const res = await api(`/api/admin/webhooks/${enc(e.id)}/test`, { method: 'POST' });
        state.selected = e.id;
        return `Test event queued (delivery ${res.data.deliveryId}).`;
      }),
    }, 'Test'),
    ' ',
    h('button', {
      type: 'button', class: 'secondary', 'aria-label': `Show the deliveries to ${e.url}`, 'aria-pressed': String(state.selected === e.id), dataset: { focusKey: `wh-show-${e.id}` },
      onclick: () => {
        state.selected = e.id;
        state.page = 1;
        void ctx.reload();
      },
    }, 'Deliveries'),
    ' ',
    h('button', {
      type: 'button', class: 'danger', 'aria-label': `Delete the endpoint ${e.url}`, dataset: { focusKey: `wh-del-${e.id}` },
      onclick: async () => {
        if (!(await confirmAction(`Delete the endpoint ${e.url} and its deliveries?`, 'Delete'))) return;
        if (state.selected === e.id) state.selected = null;
        await ctx.act(async () => {
          await api(`/api/admin/webhooks/${enc(e.id)}`, { method: 'DELETE' });
          return 'Endpoint deleted.';
        });
      },
    }, 'Delete'));
}

/** Loads the endpoints and the selected one's deliveries into the section. */
export async function loadWebhooks(ctx) {
  const endpoints = (await api('/api/admin/webhooks')).data;
  if (!endpoints.some((e) => e.id === state.selected)) state.selected = endpoints[0]?.id ?? null;
  update($('webhooks-body'), table({
    caption: 'Webhook endpoints', key: 'webhooks', rows: endpoints, empty: 'No endpoint registered.',
    columns: [
      { label: 'URL', wrap: true, cell: (e) => [e.url, h('span', { class: 'cell-note' }, e.id)] },
      { label: 'Events', wrap: true, cell: (e) => e.events.join(', ') },
      { label: 'State', cell: (e) => (e.enabled ? badge('enabled', 'ok') : badge('disabled', 'warn')) },
      { label: 'Actions', cell: (e) => actions(e, ctx) },
    ],
  }));
  const selected = endpoints.find((e) => e.id === state.selected);
  if (!selected) return void update($('webhook-deliveries'));
  const res = await api(`/api/admin/webhooks/${enc(selected.id)}/deliveries${qs({ page: state.page, pageSize: 10 })}`);
  renderDeliveries($('webhook-deliveries'), selected, res, ctx);
}

/** The creation form: URL and events; the answer's secret is shown once. */
export function setupWebhooks(ctx) {
  const form = $('webhook-form');
  update($('webhook-events'), EVENTS.map((name) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'events', value: name, checked: name.startsWith('notification.') }), ` ${name}`)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    $('webhook-error').textContent = '';
    const events = data.getAll('events');
    if (events.length === 0) return void ($('webhook-error').textContent = 'Pick at least one event.');
    try {
      const res = await api('/api/admin/webhooks', { method: 'POST', body: { url: String(data.get('url')), events } });
      state.selected = res.data.id;
      form.reset();
      update($('webhook-secret'),
        h('p', {}, 'Signing secret of the new endpoint, shown only now: store it where the receiver verifies signatures.'),
        h('code', { id: 'webhook-secret-value' }, res.data.secret));
      await ctx.reload();
    } catch (err) {
      $('webhook-error').textContent = describeError(err);
    }
  });
}
