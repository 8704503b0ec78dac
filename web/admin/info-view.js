import { badge, formatDate, h, pager, relative, table, timeAgo, update } from './dom.js';

export function renderSchedules(el, schedules) {
  update(el, table({
    caption: 'Schedules', key: 'schedules', rows: schedules, empty: 'No schedules.',
    columns: [
      { label: 'Schedule', cell: (s) => [s.id, h('span', { class: 'cell-note' }, s.description ?? '')] },
      { label: 'Queue', cell: (s) => s.queue },
      { label: 'Pattern', cell: (s) => h('code', {}, s.pattern) },
      { label: 'Time zone', cell: (s) => s.tz ?? 'UTC' },
      { label: 'Next run', cell: (s) => (s.nextRun ? [formatDate(s.nextRun), h('span', { class: 'cell-note' }, relative(s.nextRun))] : '—') },
      { label: 'Status', cell: (s) => (!s.registered ? badge('Not registered', 'bad') : s.overdue ? badge('Overdue', 'bad') : badge('On time', 'ok')) },
      { label: 'Runs', numeric: true, cell: (s) => s.iterations ?? 0 },
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
