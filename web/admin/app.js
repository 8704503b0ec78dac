/* global document, window, FormData */
import { api, ApiError, describeError, qs } from './api.js';
import { loadBatches, setupBroadcasts } from './broadcasts-view.js';
import { renderBulkQueues, setupBulk } from './bulk-view.js';
import { isConfirmOpen, setupConfirm } from './confirm.js';
import { renderAudit, renderScheduledPosts, renderSchedules, renderStats, renderWorkers } from './info-view.js';
import { renderFailed, renderHealth, renderQueues } from './jobs-view.js';
import { loadMetrics, setupMetrics } from './metrics-view.js';
import { renderPreviews } from './previews-view.js';
import { queueSearchCell, renderSearchQueues, setupSearch } from './search-view.js';
import { filterProblem, logFilters, renderEmails, renderLogs } from './records-view.js';
import { renderEmailSummary, setupTimeline } from './timeline-view.js';
import { loadSuppressions, setupSuppressions } from './suppressions-view.js';
import { loadWebhooks, setupWebhooks } from './webhooks-view.js';

const REFRESH_MS = 5_000;
// The admin API allows 100 calls a minute per admin: the live parts (health, queues, workers, and
// failed jobs when their count moved) every 5 s, the slow-moving ones every 6th refresh.
const SLOW_EVERY = 6;
const VIEWS = ['loading', 'login-view', 'denied-view', 'dashboard'];
const $ = (id) => document.getElementById(id);
const state = { noticeTimer: null, view: 'loading', paused: false, timer: null, tick: 0, busy: false, queued: false, blockedUntil: 0, pages: { logs: 1, emails: 1, audit: 1, blog: 1, previews: 1 } };

function notice(text, kind = 'info') {
  $('notice').textContent = text;
  $('notice').dataset.kind = kind;
  // Confirmations fade after a while; errors stay until a refresh succeeds.
  clearTimeout(state.noticeTimer);
  if (text && kind !== 'error') state.noticeTimer = setTimeout(() => notice(''), 10_000);
}

function show(view) {
  state.view = view;
  for (const id of VIEWS) $(id).hidden = id !== view;
  $('session').hidden = view !== 'dashboard';
}

const enc = encodeURIComponent;
// Failed-job lists by queue, fetched again only when a queue's failed count moves (or on slow rounds).
const failedCache = new Map();
async function failedJobs(queues, fresh) {
  const lists = await Promise.all(queues.filter((q) => (q.counts?.failed ?? 0) > 0).map(async (q) => {
    const cached = failedCache.get(q.name);
    if (!fresh && cached && cached.pagination.total === q.counts.failed) return cached;
    const res = await api(`/api/admin/jobs/queues/${enc(q.name)}/jobs${qs({ state: 'failed', pageSize: 20 })}`);
    return { queue: q.name, items: res.data, pagination: res.pagination };
  }));
  failedCache.clear();
  for (const list of lists) failedCache.set(list.queue, list);
  return lists.filter((f) => f.items.length > 0);
}

const loaders = {
  health: async () => renderHealth($('health-body'), (await api('/api/admin/jobs/health')).data),
  queues: async (slow) => {
    const queues = (await api('/api/admin/jobs/queues')).data;
    renderQueues($('queues-body'), queues, ctx, queueSearchCell);
    renderBulkQueues(queues);
    renderSearchQueues(queues);
    renderFailed($('failed-body'), await failedJobs(queues, slow), ctx);
  },
  workers: async () => renderWorkers($('workers-body'), (await api('/api/admin/jobs/workers')).data),
};
const slowLoaders = {
  schedules: async () => renderSchedules($('schedules-body'), (await api('/api/admin/jobs/schedulers')).data, ctx),
  blog: async () => {
    const res = await api(`/api/admin/jobs/blog/scheduled${qs({ page: state.pages.blog, pageSize: 10 })}`);
    renderScheduledPosts($('blog-body'), res, (page) => goTo('blog', page));
  },
  stats: async () => renderStats($('stats-body'), (await api('/api/admin/jobs/notifications/stats')).data),
  batches: () => loadBatches(ctx),
  metrics: () => loadMetrics(),
  previews: async () => {
    const res = await api(`/api/admin/jobs/previews${qs({ page: state.pages.previews, pageSize: 10 })}`);
    renderPreviews($('previews-body'), res, ctx, (page) => goTo('previews', page));
  },
  logs: async () => {
    const res = await api(`/api/admin/jobs/aggregation/logs${qs({ ...logFilters($('logs-form')), page: state.pages.logs, pageSize: 10 })}`);
    renderLogs($('logs-body'), res, (page) => goTo('logs', page));
  },
  emails: async () => {
    const res = await api(`/api/admin/emails${qs({ page: state.pages.emails, pageSize: 5 })}`);
    renderEmails($('emails-body'), res, (page) => goTo('emails', page));
  },
  emailSummary: async () => renderEmailSummary($('emails-summary'), (await api('/api/admin/emails/summary?hours=24')).data),
  webhooks: () => loadWebhooks(ctx),
  suppressions: () => loadSuppressions(ctx),
  audit: async () => {
    const res = await api(`/api/admin/jobs/audit${qs({ page: state.pages.audit, pageSize: 10 })}`);
    renderAudit($('audit-body'), res, (page) => goTo('audit', page));
  },
};

/** Problems of a round of loads, told once; a lost session goes back to the sign-in form. */
function report(errors) {
  if (errors.some((e) => e instanceof ApiError && (e.status === 401 || e.status === 403))) return void boot();
  const limited = errors.find((e) => e instanceof ApiError && e.status === 429);
  if (limited) state.blockedUntil = Date.now() + (limited.retryAfter ?? 30) * 1000;
  if (errors.length) notice(describeError(limited ?? errors[0]), 'error');
  else if ($('notice').dataset.kind === 'error') notice('');
  return errors.length === 0;
}

async function refresh(full = false) {
  if (state.view !== 'dashboard') return;
  if (state.busy) {
    state.queued = true;
    return;
  }
  state.busy = true;
  const slow = full || state.tick % SLOW_EVERY === 0;
  state.tick += 1;
  const tasks = Object.values(loaders).concat(slow ? Object.values(slowLoaders) : []);
  const results = await Promise.allSettled(tasks.map((load) => load(slow)));
  state.busy = false;
  if (report(results.filter((r) => r.status === 'rejected').map((r) => r.reason))) {
    $('updated').textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC${state.paused ? ' · auto-refresh paused' : ''}`;
  }
  if (state.queued) {
    state.queued = false;
    await refresh(true);
  }
}

async function goTo(section, page) {
  state.pages[section] = page;
  try {
    await slowLoaders[section]();
  } catch (err) {
    report([err]);
  }
}

const ctx = {
  /** Runs an admin action, says how it went, then reloads everything. */
  async act(action, message) {
    try {
      const result = await action();
      notice(typeof result === 'string' ? result : message, 'ok');
    } catch (err) {
      report([err]);
    }
    await refresh(true);
  },
  /** Reloads the Webhooks section alone (a page or an endpoint picked). */
  reload: () => goTo('webhooks'),
  /** Reloads the suppression list alone (a page picked). */
  reloadSuppressions: () => goTo('suppressions'),
  /** Reloads the recent broadcasts alone (a page picked). */
  reloadBatches: () => goTo('batches'),
};

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    const idle = !state.paused && !isConfirmOpen() && !document.hidden && Date.now() >= state.blockedUntil;
    if (idle) await refresh();
    if (state.view === 'dashboard') schedule();
  }, REFRESH_MS);
}

async function boot() {
  clearTimeout(state.timer);
  let user;
  try {
    user = (await api('/api/auth/me')).user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      show('login-view');
      return;
    }
    show('loading');
    $('loading').textContent = `${describeError(err)} Trying again in 5 s…`;
    state.timer = setTimeout(boot, REFRESH_MS);
    return;
  }
  if (user.role !== 'ADMIN') {
    $('denied-user').textContent = `${user.email} (${user.role})`;
    show('denied-view');
    return;
  }
  $('whoami').textContent = user.email;
  show('dashboard');
  state.tick = 0;
  await refresh(true);
  schedule();
}

async function signOut() {
  clearTimeout(state.timer);
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } catch { /* the session is gone either way for this page */ }
  // A fresh page leaves no admin data behind in the DOM.
  window.location.replace('/admin');
}

async function login(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const { email, password } = Object.fromEntries(new FormData(form));
  $('login-error').textContent = '';
  $('login-submit').disabled = true;
  try {
    await api('/api/auth/login', { method: 'POST', body: { email, password } });
    form.reset();
    await boot();
    $('main').focus();
  } catch (err) {
    $('login-error').textContent = err instanceof ApiError && err.status === 401 ? 'Wrong email or password.' : describeError(err);
    $('login-password').focus();
  } finally {
    $('login-submit').disabled = false;
  }
}

function setup() {
  setupConfirm();
  setupTimeline();
  setupWebhooks(ctx);
  setupSuppressions(ctx);
  setupBroadcasts(ctx);
  setupMetrics();
  setupBulk(ctx);
  setupSearch(ctx);
  $('login-form').addEventListener('submit', login);
  $('sign-out').addEventListener('click', signOut);
  $('denied-sign-out').addEventListener('click', signOut);
  $('refresh-now').addEventListener('click', () => {
    state.blockedUntil = 0;
    void refresh(true);
  });
  $('refresh-toggle').addEventListener('click', () => {
    state.paused = !state.paused;
    $('refresh-toggle').setAttribute('aria-pressed', String(state.paused));
    notice(state.paused ? 'Auto-refresh paused.' : 'Auto-refresh resumed.');
  });
  $('logs-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('logs-error').textContent = filterProblem($('logs-form'));
    if (!$('logs-error').textContent) void goTo('logs', 1);
  });
  // The reset event comes before the fields are cleared.
  $('logs-form').addEventListener('reset', () => setTimeout(() => {
    $('logs-error').textContent = '';
    void goTo('logs', 1);
  }));
  window.addEventListener('offline', () => notice('Offline: the server cannot be reached.', 'error'));
  window.addEventListener('online', () => void refresh(true));
  void boot();
}

setup();
