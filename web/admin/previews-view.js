import { api } from './api.js';
import { confirmAction } from './confirm.js';
import { badge, h, pager, table, timeAgo, update } from './dom.js';

const run = (body) => api('/api/admin/jobs/previews/run', { method: 'POST', body });

function rerunButton(item, ctx) {
  return h('button', {
    type: 'button', class: 'secondary', 'aria-label': `Re-run the preview of ${item.title}`, dataset: { focusKey: `preview-${item.assetId}` },
    onclick: () => ctx.act(async () => {
      const res = await run({ assetId: item.assetId });
      return `Preview of "${item.title}" queued (job ${res.data.jobId}).`;
    }),
  }, 'Re-run');
}

/** Video and audio assets with a clean file but no preview: pending, or failed with the reason. */
export function renderPreviews(el, res, ctx, go) {
  const total = res.pagination?.total ?? 0;
  const runAll = h('button', {
    type: 'button', class: 'danger', disabled: total === 0, dataset: { focusKey: 'previews-run-missing' },
    onclick: async () => {
      if (!(await confirmAction(`Queue a preview for all ${total} assets missing one?`, 'Re-run all'))) return;
      await ctx.act(async () => `${(await run({ missing: true })).data.queued} previews queued.`);
    },
  }, `Re-run all missing (${total})`);
  update(el,
    h('div', { class: 'failed-head' }, h('h3', {}, `${total} assets without a preview`), runAll),
    table({
      caption: 'Assets missing a preview', key: 'previews', rows: res.data, empty: 'Every video and audio asset has its preview.',
      columns: [
        { label: 'Asset', wrap: true, cell: (a) => [a.title, h('span', { class: 'cell-note' }, `${a.type} · ${a.assetId}`)] },
        { label: 'Status', wrap: true, cell: (a) => (a.previewError ? [badge('Failed', 'bad'), ' ', h('span', { class: 'error-text' }, a.previewError)] : badge('Pending', 'info')) },
        { label: 'Last attempt', cell: (a) => timeAgo(a.previewLastAttempt) },
        { label: 'Actions', cell: (a) => rerunButton(a, ctx) },
      ],
    }),
    pager('Preview pages', res.pagination, go));
}
