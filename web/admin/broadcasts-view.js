/* global document, FormData, crypto */
// The Broadcasts section (issue 19): compose a broadcast, Preview it (who it reaches and where
// their emails go, by the delivery's own rules), Send it after a confirmation that repeats those
// numbers; recent batches with their status and a Recall button whose confirmation says what a
// recall can and cannot stop, and whose notice says what it did. docs/OPERATIONS.md, "Broadcast
// preview and recall".
import { api, describeError, qs } from './api.js';
import { confirmAction } from './confirm.js';
import { badge, h, pager, table, timeAgo, update } from './dom.js';

const $ = (id) => document.getElementById(id);
const STATUS_KIND = { pending: 'info', running: 'info', completed: 'ok', recalled: 'warn' };
// `previewed`: the body the shown forecast is for (Send sends exactly it); `key`: its idempotency
// key, so a second click on Send (or a retry after a lost answer) creates nothing more.
const state = { page: 1, previewed: null, forecast: null, key: null };
const n = (value) => value.toLocaleString('en-US');
const plural = (count, one, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;

function bodyOf(form) {
  const f = Object.fromEntries(new FormData(form));
  const body = { type: f.type, priority: f.priority, title: String(f.title).trim(), message: String(f.message).trim() };
  if (f.target === 'all') body.all = true;
  else if (f.target === 'role') body.role = f.role;
  else body.userIds = String(f.userIds ?? '').split(/[\s,]+/).filter(Boolean);
  return body;
}

const audienceOf = (body) => (body.all ? 'everyone' : body.role ? `every ${body.role} user` : plural(body.userIds.length, 'listed user'));

function stat(label, value) {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, n(value)));
}

function showForecast(body, p) {
  update($('broadcast-forecast'),
    h('p', {}, `“${body.title}” to ${audienceOf(body)} reaches ${plural(p.audience, 'user')}`,
      p.skipped ? ` (${plural(p.skipped, 'id')} skipped: unknown or repeated)` : '', '.'),
    h('dl', { class: 'stats stats-wide', 'aria-label': 'Where the emails go' },
      stat('Email now', p.email.now), stat('Held for quiet hours', p.email.heldForQuietHours),
      stat('In a digest', p.email.digest), stat('No email', p.email.none)),
    p.idempotencyKeyUsed ? h('p', { class: 'form-error' }, 'This exact broadcast was sent already.') : null);
}

/** Any change to the form invalidates the preview: Send sends only what was previewed. */
function forget() {
  state.previewed = null;
  state.forecast = null;
  $('broadcast-send').disabled = true;
  update($('broadcast-forecast'));
}

function showTargetFields() {
  const target = $('broadcast-target').value;
  $('broadcast-role-field').hidden = target !== 'role';
  $('broadcast-users-field').hidden = target !== 'users';
}

async function preview(event) {
  event.preventDefault();
  const body = bodyOf(event.currentTarget);
  $('broadcast-error').textContent = '';
  if (body.userIds && body.userIds.length === 0) return void ($('broadcast-error').textContent = 'List at least one user id.');
  try {
    const key = state.key ?? crypto.randomUUID();
    const p = (await api('/api/admin/notifications/preview', { method: 'POST', body: { ...body, idempotencyKey: key } })).data;
    state.key = key;
    state.previewed = body;
    state.forecast = p;
    showForecast(body, p);
    $('broadcast-send').disabled = p.audience === 0 || p.idempotencyKeyUsed;
  } catch (err) {
    forget();
    $('broadcast-error').textContent = describeError(err);
  }
}

async function send(ctx) {
  const body = state.previewed;
  const p = state.forecast;
  if (!body || !p) return;
  const emails = `${plural(p.email.now, 'email')} now, ${n(p.email.heldForQuietHours)} after quiet hours, ${n(p.email.digest)} in digests`;
  if (!(await confirmAction(`Send “${body.title}” to ${plural(p.audience, 'user')}? ${emails}.`, 'Send'))) return;
  const key = state.key;
  await ctx.act(async () => {
    const res = (await api('/api/admin/notifications', { method: 'POST', body: { ...body, idempotencyKey: key } })).data;
    $('broadcast-form').reset();
    showTargetFields();
    state.key = null;
    forget();
    state.page = 1;
    return res.replayed ? 'This broadcast was sent already; nothing more was created.' : `Broadcast sent (batch ${res.batchId}).`;
  });
}

function recallSummary(r) {
  const parts = [`hidden from ${plural(r.hidden, 'inbox', 'inboxes')}`, `${plural(r.emailsSent, 'email')} already sent`, `${n(r.emailsCancelled)} cancelled`];
  if (r.emailsUnconfirmed) parts.push(`${n(r.emailsUnconfirmed)} unconfirmed`);
  if (r.digestItemsRemoved) parts.push(`${n(r.digestItemsRemoved)} taken out of coming digests`);
  if (r.unreached) parts.push(`${plural(r.unreached, 'user')} never reached`);
  return parts.join(', ');
}

function recallButton(b, ctx) {
  if (b.status === 'recalled') return null;
  return h('button', {
    type: 'button', class: 'danger', 'aria-label': `Recall “${b.title}”`, dataset: { focusKey: `recall-${b.id}` },
    onclick: async () => {
      const reach = b.target === 'users' ? plural(b.created, 'user') : `${plural(b.created, 'user')} so far (the fan-out stops)`;
      if (!(await confirmAction(`Recall “${b.title}” sent to ${reach}? It disappears from every inbox and open page; emails not sent yet are cancelled, emails already sent cannot be.`, 'Recall'))) return;
      await ctx.act(async () => {
        const res = (await api(`/api/admin/notifications/batches/${encodeURIComponent(b.id)}/recall`, { method: 'POST' })).data;
        return `Recalled “${res.title}”: ${recallSummary(res.recall)}.`;
      });
    },
  }, 'Recall');
}

/** Loads one page of recent batches into the section. */
export async function loadBatches(ctx) {
  const res = await api(`/api/admin/notifications/batches${qs({ page: state.page, pageSize: 10 })}`);
  update($('batches-body'),
    table({
      caption: 'Recent notification batches', key: 'batches', rows: res.data, empty: 'No broadcast yet.',
      columns: [
        { label: 'Sent', cell: (b) => timeAgo(b.createdAt) },
        { label: 'Title', wrap: true, cell: (b) => [b.title, h('span', { class: 'cell-note' }, `${b.type} · ${b.id}`)] },
        { label: 'To', cell: (b) => (b.target === 'role' ? `role ${b.role}` : b.target === 'all' ? 'everyone' : 'listed users') },
        { label: 'Status', cell: (b) => badge(b.status, STATUS_KIND[b.status] ?? 'info') },
        { label: 'Created', numeric: true, cell: (b) => n(b.created) },
        { label: 'Recall', wrap: true, cell: (b) => (b.recall ? [recallSummary(b.recall), b.recall.settled ? null : h('span', { class: 'cell-note' }, 'waiting for emails in hand-off')] : '—') },
        { label: 'Actions', cell: (b) => recallButton(b, ctx) },
      ],
    }),
    pager('Batch pages', res.pagination, (page) => {
      state.page = page;
      void ctx.reloadBatches();
    }));
}

/** The compose form: target fields follow the choice; Preview, then Send what was previewed. */
export function setupBroadcasts(ctx) {
  const form = $('broadcast-form');
  $('broadcast-target').addEventListener('change', showTargetFields);
  form.addEventListener('input', () => {
    forget();
    state.key = null;
  });
  form.addEventListener('submit', preview);
  $('broadcast-send').addEventListener('click', () => void send(ctx));
  showTargetFields();
}
