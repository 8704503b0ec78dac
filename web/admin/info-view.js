import { api } from './api.js';
import { confirmAction } from './confirm.js';
import { badge, formatDate, h, pager, relative, table, timeAgo, update } from './dom.js';

const enc = encodeURIComponent;
/** The last runs of each schedule whose list was opened, kept across refreshes. */
const runsOf = new Map();
const RUN_STATE = { completed: 'ok', failed: 'bad', skipped: 'warn' };

function duration(ms) {
  if (ms === null || ms === undefined) return null;
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function runItems(runs) {
  if (!runs) return h('p', { class: 'muted' }, 'Loading…');
  if (runs.length === 0) return h('p', { class: 'empty' }, 'No runs recorded yet.');
  return h('ol', { class: 'runs' }, runs.map((r) => h('li', { dataset: { jobId: r.jobId } },
    badge(r.state, RUN_STATE[r.state] ?? 'info'), ' ', r.trigger, ' · ',
    r.finishedAt ? ['finished ', timeAgo(r.finishedAt)] : r.startedAt ? ['started ', timeAgo(r.startedAt)] : 'not started yet',
    duration(r.durationMs) ? ` · ${duration(r.durationMs)}` : null,
    r.failedReason ? h('span', { class: 'error-text' }, ` ${r.failedReason}`) : null)));
}

async function loadRuns(id, box) {
  try {
    runsOf.set(id, (await api(`/api/admin/jobs/schedulers/${enc(id)}/runs`)).data);
    update(box, runItems(runsOf.get(id)));
  } catch (err) {
    update(box, h('p', { class: 'error-text' }, `Could not load the runs: ${err.message}`));
  }
}

/** The last runs, fetched when opened (and again when a refresh finds it open). */
function lastRuns(s) {
  const box = h('div', { class: 'runs-box' }, runItems(runsOf.get(s.id)));
  const details = h('details', { dataset: { key: `runs-${s.id}` } },
    h('summary', { dataset: { focusKey: `runs-${s.id}` }, 'aria-label': `Last runs of ${s.id}` }, 'Last runs'), box);
  details.addEventListener('toggle', () => { if (details.open) void loadRuns(s.id, box); });
  return details;
}

function scheduleActions(s, ctx) {
  const base = `/api/admin/jobs/schedulers/${enc(s.id)}`;
  const run = h('button', {
    type: 'button', class: 'secondary', 'aria-label': `Run ${s.id} now`, dataset: { focusKey: `run-${s.id}` },
    onclick: async () => {
      const held = s.paused ? ' It runs although the schedule is paused.' : '';
      if (!(await confirmAction(`Run schedule ${s.id} now? One ${s.job} job on ${s.queue}, outside its pattern.${held}`, 'Run now'))) return;
      await ctx.act(async () => {
        const res = await api(`${base}/run`, { method: 'POST' });
        return res.data.deduplicated ? `A run of ${s.id} was already waiting (${res.data.jobId}).` : `Run ${res.data.jobId} of ${s.id} queued.`;
      });
    },
  }, 'Run now');
  const toggle = s.paused
    ? h('button', {
      type: 'button', 'aria-label': `Resume schedule ${s.id}`, dataset: { focusKey: `pause-${s.id}` },
      onclick: () => ctx.act(() => api(`${base}/resume`, { method: 'POST' }), `Schedule ${s.id} resumed: its next run is computed from now.`),
    }, 'Resume')
    : h('button', {
      type: 'button', class: 'secondary', 'aria-label': `Pause schedule ${s.id}`, dataset: { focusKey: `pause-${s.id}` },
      onclick: async () => {
        if (!(await confirmAction(`Pause schedule ${s.id}? Nothing of it runs until it is resumed; the runs that fall meanwhile are skipped, not made up.`, 'Pause schedule'))) return;
        await ctx.act(() => api(`${base}/pause`, { method: 'POST' }), `Schedule ${s.id} paused.`);
      },
    }, 'Pause');
  return h('div', { class: 'actions' }, run, ' ', toggle);
}

function scheduleStatus(s) {
  if (s.paused) return [badge('Paused', 'warn'), h('span', { class: 'cell-note' }, 'since ', timeAgo(s.pausedAt))];
  return !s.registered ? badge('Not registered', 'bad') : s.overdue ? badge('Overdue', 'bad') : badge('On time', 'ok');
}

/** Schedules with their state, Run now / Pause / Resume (ctx.act) and the last runs of each. */
export function renderSchedules(el, schedules, ctx) {
  update(el, table({
    caption: 'Schedules', key: 'schedules', rows: schedules, empty: 'No schedules.',
    columns: [
      { label: 'Schedule', cell: (s) => [s.id, h('span', { class: 'cell-note' }, s.description ?? '')] },
      { label: 'Queue', cell: (s) => s.queue },
      { label: 'Pattern', cell: (s) => h('code', {}, s.pattern) },
      { label: 'Time zone', cell: (s) => s.tz ?? 'UTC' },
      { label: 'Next run', cell: (s) => (s.nextRun ? [formatDate(s.nextRun), h('span', { class: 'cell-note' }, relative(s.nextRun))] : '—') },
      { label: 'Status', cell: scheduleStatus },
      { label: 'Runs', numeric: true, cell: (s) => s.iterations ?? 0 },
      { label: 'Actions', cell: (s) => scheduleActions(s, ctx) },
      { label: 'Last runs', wrap: true, cell: lastRuns },
    ],
  }));
}

const JOB_STATE = { delayed: ['Job waiting', 'ok'], waiting: ['Due now', 'info'], active: ['Publishing', 'info'], prioritized: ['Due now', 'info'] };

/** Scheduled blog posts: title, publication time, and whether their publish job is there. */
export function renderScheduledPosts(el, res, go) {
  const status = (p) => {
    if (p.overdue) return badge('Overdue', 'bad');
    const [label, kind] = JOB_STATE[p.job] ?? ['Job missing', 'warn'];
    return badge(label, kind);
  };
  update(el,
    table({
      caption: 'Scheduled posts', key: 'blog', rows: res.data, empty: 'No posts are scheduled.',
      columns: [
        { label: 'Title', wrap: true, cell: (p) => [p.title, p.announcement ? h('span', { class: 'cell-note' }, 'Announcement to every user') : null] },
        { label: 'Publishes at', cell: (p) => [h('time', { datetime: p.publishAt }, formatDate(p.publishAt)), h('span', { class: 'cell-note' }, relative(p.publishAt))] },
        { label: 'Status', cell: status },
      ],
    }),
    pager('Scheduled post pages', res.pagination, go));
}

export function renderWorkers(el, workers) {
  update(el, table({
    caption: 'Live workers', key: 'workers', rows: workers, empty: 'No live workers: nothing is processing jobs.',
    columns: [
      { label: 'Host', cell: (w) => w.host },
      { label: 'PID', numeric: true, cell: (w) => w.pid },
      { label: 'Queues', wrap: true, cell: (w) => (w.queues ?? []).join(', ') },
      { label: 'Active jobs', numeric: true, cell: (w) => w.activeJobs ?? 0 },
      { label: 'Started', cell: (w) => timeAgo(w.startedAt) },
      { label: 'Last heartbeat', cell: (w) => timeAgo(w.lastSeenAt) },
    ],
  }));
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, value));
}

export function renderStats(el, stats) {
  const d = stats.delivery ?? {};
  const g = stats.digest ?? {};
  const when = (iso) => (iso ? [formatDate(iso), h('span', { class: 'cell-note' }, relative(iso))] : 'never');
  update(el,
    h('h3', {}, 'Email delivery queue'),
    h('dl', { class: 'stats' }, stat('Waiting', d.waiting ?? 0), stat('Active', d.active ?? 0), stat('Completed', d.completed ?? 0), stat('Failed', d.failed ?? 0)),
    h('h3', {}, 'Digests'),
    h('dl', { class: 'stats stats-wide' },
      stat('Last daily run', when(g.lastDailyRun)), stat('Next daily run', when(g.nextDailyRun)),
      stat('Last weekly run', when(g.lastWeeklyRun)), stat('Next weekly run', when(g.nextWeeklyRun))));
}

export function renderAudit(el, res, go) {
  update(el,
    table({
      caption: 'Audit log', key: 'audit', rows: res.data, empty: 'No admin actions recorded yet.',
      columns: [
        { label: 'When', cell: (a) => timeAgo(a.createdAt) },
        { label: 'Admin', cell: (a) => a.adminEmail ?? a.adminId ?? '—' },
        { label: 'Action', cell: (a) => h('code', {}, a.action) },
        { label: 'Queue', cell: (a) => a.queue ?? '—' },
        { label: 'Job', cell: (a) => a.jobId ?? '—' },
        { label: 'Details', wrap: true, cell: (a) => (a.details && Object.keys(a.details).length ? h('code', {}, JSON.stringify(a.details)) : '—') },
      ],
    }),
    pager('Audit log pages', res.pagination, go));
}
