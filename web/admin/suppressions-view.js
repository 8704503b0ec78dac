/* global document, FormData */
// The Emails section's suppression list: addresses herald no longer mails (a permanent refusal or
// a complaint), searchable and paged, each with a Lift button behind the confirm dialog.
import { api, describeError, qs } from './api.js';
import { confirmAction } from './confirm.js';
import { badge, h, pager, table, timeAgo, update } from './dom.js';

const PAGE_SIZE = 10;
const REASON_KIND = { complaint: 'bad', 'hard-bounce': 'warn' };
const $ = (id) => document.getElementById(id);
const state = { page: 1, q: '' };

function liftButton(s, ctx) {
  return h('button', {
    type: 'button', class: 'danger', 'aria-label': `Lift the suppression of ${s.email}`, dataset: { focusKey: `lift-${s.email}` },
    onclick: async () => {
      // A complaint is the person's own word: say so before mailing them again.
      const warning = s.reason === 'complaint' ? ' They complained: their email preference stays off until they turn it on.' : '';
      if (!(await confirmAction(`Mail ${s.email} again?${warning}`, 'Lift'))) return;
      await ctx.act(async () => {
        await api(`/api/admin/emails/suppressions/${encodeURIComponent(s.email)}`, { method: 'DELETE' });
        return `${s.email} will be mailed again.`;
      });
    },
  }, 'Lift');
}

/** Loads the current page of the list (with the search text) into the panel. */
export async function loadSuppressions(ctx) {
  const res = await api(`/api/admin/emails/suppressions${qs({ q: state.q || undefined, page: state.page, pageSize: PAGE_SIZE })}`);
  update($('suppressions-body'),
    table({
      caption: 'Suppressed addresses', key: 'suppressions', rows: res.data,
      empty: state.q ? `No suppressed address contains “${state.q}”.` : 'No address is suppressed.',
      columns: [
        { label: 'Address', wrap: true, cell: (s) => s.email },
        { label: 'Reason', cell: (s) => [badge(s.reason, REASON_KIND[s.reason] ?? 'info'), h('span', { class: 'cell-note' }, `from ${s.source}`)] },
        { label: 'Detail', wrap: true, cell: (s) => s.detail ?? h('span', { class: 'muted' }, '—') },
        { label: 'Since', cell: (s) => timeAgo(s.createdAt) },
        { label: 'Actions', cell: (s) => liftButton(s, ctx) },
      ],
    }),
    pager('Suppression pages', res.pagination, (page) => {
      state.page = page;
      void ctx.reloadSuppressions();
    }));
}

/** The search box: a new search starts at page 1. */
export function setupSuppressions(ctx) {
  const form = $('suppressions-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    state.q = String(new FormData(form).get('q') ?? '').trim();
    state.page = 1;
    $('suppressions-error').textContent = '';
    try {
      await loadSuppressions(ctx);
    } catch (err) {
      $('suppressions-error').textContent = describeError(err);
    }
  });
}
