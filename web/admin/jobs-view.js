import { api } from './api.js';
import { chartLegend, throughputChart } from './chart.js';
import { confirmAction } from './confirm.js';
import { badge, h, table, timeAgo, update } from './dom.js';
import { smtpTransports } from './smtp-view.js';

const NOT_GROUPS = new Set(['healthy', 'redis', 'postgres', 'postgresReplica', 'error']);
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'];
const stacks = new Map();

const upDown = (dep) => (dep?.healthy ? badge('Up', 'ok') : badge('Down', 'bad'));
const replicaState = (r) => (r.healthy ? badge(`Up, ${r.lagMs} ms behind`, 'ok')
  : badge(r.reachable === false ? 'Down: reads on the primary' : `Lagging${r.lagMs === null ? '' : ` ${r.lagMs} ms`}: reads on the primary`, 'warn'));

/** Overall health: the verdict, each failing group by name with its problems, and the stores. */
export function renderHealth(el, report) {
  const groups = Object.entries(report).filter(([name, g]) => !NOT_GROUPS.has(name) && g && typeof g === 'object');
  const failing = groups.filter(([, g]) => !g.healthy).map(([name]) => name);
  const verdict = report.healthy
    ? h('p', { class: 'verdict verdict-ok' }, badge('✓ Healthy', 'ok'), ' Every job group, PostgreSQL and Redis are fine.')
    : h('p', { class: 'verdict verdict-bad' }, badge('✗ Unhealthy', 'bad'), ' ',
      failing.length ? `Failing: ${failing.join(', ')}` : report.error ?? 'A dependency is down.');
  const stores = h('ul', { class: 'stores' },
    h('li', {}, 'PostgreSQL ', upDown(report.postgres)),
    h('li', {}, 'Redis ', upDown(report.redis)),
    // DATABASE_READ_URL only; a lagging or unreachable replica is a warning: reads fall back to the primary.
    report.postgresReplica ? h('li', {}, 'PostgreSQL replica ', replicaState(report.postgresReplica)) : null);
  const cards = groups.map(([name, g]) => h('article', { class: `group ${g.healthy ? 'group-ok' : 'group-bad'}`, 'aria-label': `Group ${name}` },
    h('h3', {}, `Group ${name} `, g.healthy ? badge('Healthy', 'ok') : badge('Failing', 'bad')),
    g.problems?.length ? h('ul', { class: 'problems' }, g.problems.map((p) => h('li', {}, p))) : h('p', { class: 'muted' }, 'No problems.'),
    g.warnings?.length ? h('ul', { class: 'warnings' }, g.warnings.map((w) => h('li', {}, badge('Warning', 'warn'), ' ', w))) : null,
    smtpTransports(g.transports),
    table({
      caption: `Queues of group ${name}, last 15 minutes`, key: `group-${name}`,
      rows: Object.entries(g.failureRates ?? {}),
      columns: [
        { label: 'Queue', cell: ([q]) => q },
        { label: 'Worker', cell: ([q]) => (g.workers?.[q]?.isRunning ? badge('Running', 'ok') : badge('None', 'bad')) },
        { label: 'Completed', numeric: true, cell: ([, r]) => r.completed },
        { label: 'Failed', numeric: true, cell: ([, r]) => r.failed },
        { label: 'Failure rate', numeric: true, cell: ([, r]) => `${Math.round(r.rate * 100)}%` },
      ],
    })));
  update(el, verdict, report.error ? h('p', { class: 'problem-text' }, report.error) : null, stores, h('div', { class: 'groups' }, cards));
}

function pauseButton(q, ctx) {
  const label = q.paused ? 'Resume' : 'Pause';
  return h('button', {
    type: 'button', class: q.paused ? '' : 'secondary', 'aria-label': `${label} queue ${q.name}`, dataset: { focusKey: `pause-${q.name}` },
    onclick: async () => {
      if (!q.paused && !(await confirmAction(`Pause queue ${q.name}? Its workers stop taking new jobs until it is resumed.`, 'Pause queue'))) return;
      await ctx.act(() => api(`/api/admin/jobs/queues/${encodeURIComponent(q.name)}/${q.paused ? 'resume' : 'pause'}`, { method: 'POST' }),
        `Queue ${q.name} ${q.paused ? 'resumed' : 'paused'}.`);
    },
  }, label);
}

/** `searchCell(name)`: the row's job search field (search-view.js), when given. */
export function renderQueues(el, queues, ctx, searchCell) {
  const counts = STATES.map((s) => ({ label: s === 'waiting-children' ? 'Waiting children' : s[0].toUpperCase() + s.slice(1), numeric: true, cell: (q) => q.counts?.[s] ?? 0 }));
  update(el,
    table({
      caption: 'Queues: jobs by state', key: 'queues', rows: queues,
      columns: [
        { label: 'Queue', cell: (q) => [q.name, h('span', { class: 'cell-note' }, q.group)] },
        { label: 'State', cell: (q) => (q.paused ? badge('Paused', 'warn') : badge('Running', 'ok')) },
        { label: 'Workers', numeric: true, cell: (q) => q.workers },
        ...counts,
        { label: 'Actions', cell: (q) => pauseButton(q, ctx) },
        ...(searchCell ? [{ label: 'Search', cell: (q) => searchCell(q.name) }] : []),
      ],
    }),
    h('h3', {}, 'Throughput, last hour'),
    chartLegend(),
    h('div', { class: 'charts' }, queues.map(throughputChart)));
}

async function loadStack(queue, job, pre) {
  const key = `${queue}/${job.id}`;
  if (!stacks.has(key)) {
    try {
      const res = await api(`/api/admin/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(job.id)}`);
      stacks.set(key, (res.data.stacktrace ?? []).join('\n\n') || 'No stack trace recorded.');
    } catch (err) {
      pre.textContent = `Could not load the stack trace: ${err.message}`;
      return;
    }
  }
  pre.textContent = stacks.get(key);
}

function jobCard(queue, job, ctx) {
  const pre = h('pre', { class: 'stack' }, stacks.get(`${queue}/${job.id}`) ?? 'Loading…');
  const details = h('details', { dataset: { key: `stack-${queue}-${job.id}` } },
    h('summary', { dataset: { focusKey: `stack-${queue}-${job.id}` } }, 'Stack trace'), pre);
  details.addEventListener('toggle', () => { if (details.open) void loadStack(queue, job, pre); });
  return h('li', { class: 'job', dataset: { jobId: job.id } },
    h('div', { class: 'job-head' },
      h('strong', { class: 'job-id' }, `Job ${job.id}`),
      h('span', { class: 'muted' }, ` ${job.name} · attempts ${job.attemptsMade} · failed `, timeAgo(job.finishedOn ? new Date(job.finishedOn).toISOString() : null)),
      h('button', {
        type: 'button', class: 'danger', 'aria-label': `Retry job ${job.id}`, dataset: { focusKey: `retry-${queue}-${job.id}` },
        onclick: async () => {
          if (!(await confirmAction(`Retry job ${job.id} of ${queue}?`, 'Retry'))) return;
          await ctx.act(() => api(`/api/admin/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(job.id)}/retry`, { method: 'POST' }), `Job ${job.id} retried.`);
        },
      }, 'Retry')),
    h('p', { class: 'error-text' }, job.failedReason ?? 'No error recorded.'),
    details);
}

/** failed: [{ queue, items, pagination }] for queues with failed jobs. */
export function renderFailed(el, failed, ctx) {
  if (failed.length === 0) return update(el, h('p', { class: 'empty' }, 'No failed jobs.'));
  update(el, failed.map(({ queue, items, pagination }) => h('section', { class: 'failed-queue', 'aria-label': `Failed jobs of ${queue}` },
    h('div', { class: 'failed-head' },
      h('h3', {}, `${queue} — ${pagination.total} failed`),
      h('button', {
        type: 'button', class: 'danger', dataset: { focusKey: `retry-all-${queue}` },
        onclick: async () => {
          if (!(await confirmAction(`Retry all ${pagination.total} failed jobs of ${queue}?`, 'Retry all'))) return;
          await ctx.act(async () => {
            const res = await api(`/api/admin/jobs/queues/${encodeURIComponent(queue)}/retry-failed`, { method: 'POST' });
            return `${res.data.count} jobs of ${queue} retried.`;
          });
        },
      }, `Retry all (${pagination.total})`)),
    pagination.total > items.length ? h('p', { class: 'muted' }, `Showing the newest ${items.length} of ${pagination.total}.`) : null,
    h('ul', { class: 'jobs' }, items.map((job) => jobCard(queue, job, ctx))))));
}
