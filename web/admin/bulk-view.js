/* global document, FormData */
// The Failed jobs section's "Bulk by filter" form: count the matching jobs (in steps), confirm the
// number in words, then act in steps (each a page of jobs on the server) with a progress bar,
// until done or stopped. docs/OPERATIONS.md, Bulk operations by filter.
import { api, ApiError, describeError } from './api.js';
import { confirmAction } from './confirm.js';
import { h, update } from './dom.js';

const $ = (id) => document.getElementById(id);
const VERB = { retry: ['Retry', 'Retried', 'retrying'], remove: ['Remove', 'Removed', 'removing'], promote: ['Promote', 'Promoted', 'promoting'] };
// The first state each action takes, picked when the action changes (remove keeps the one chosen).
const FIRST_STATE = { retry: 'failed', promote: 'delayed' };
const state = { running: false, stop: false };
const n = (value) => value.toLocaleString('en-US');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills the queue picker from the queue overview (keeps the choice across refreshes). */
export function renderBulkQueues(queues) {
  const select = $('bulk-queue');
  const names = queues.map((q) => q.name);
  if ([...select.options].map((o) => o.value).join() === names.join()) return;
  const chosen = select.value;
  select.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
  if (names.includes(chosen)) select.value = chosen;
}

function readForm(form) {
  const f = Object.fromEntries(new FormData(form));
  const filter = {};
  for (const key of ['reason', 'name', 'data']) if (f[key].trim()) filter[key] = f[key].trim();
  if (f.olderThanMinutes !== '') filter.olderThanMs = Math.round(Number(f.olderThanMinutes) * 60_000);
  return { queue: f.queue, action: f.action, state: f.state, filter };
}

/** "Retry 1,234 failed jobs of notification-delivery whose reason contains 'SMTP'?" */
export function describeBulk({ queue, action, state: jobState, filter }, count) {
  const parts = [];
  if (filter.reason) parts.push(`whose reason contains '${filter.reason}'`);
  if (filter.name) parts.push(`named '${filter.name}'`);
  if (filter.data) parts.push(`whose data contains '${filter.data}'`);
  if (filter.olderThanMs) parts.push(`${jobState === 'failed' || jobState === 'completed' ? 'finished' : 'created'} over ${n(filter.olderThanMs / 60_000)} min ago`);
  return `${VERB[action][0]} ${n(count)} ${jobState} job${count === 1 ? '' : 's'} of ${queue}${parts.length ? ` ${parts.join(' and ')}` : ''}?`;
}

/** One POST, waiting out a 429 (the admin API's per-minute limit) rather than giving up midway. */
async function post(path, body) {
  for (;;) {
    try {
      return (await api(path, { method: 'POST', body })).data;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 429 || state.stop) throw err;
      status(`Rate-limited: going on in ${err.retryAfter ?? 30} s…`);
      await wait((err.retryAfter ?? 30) * 1000);
    }
  }
}

function status(...nodes) {
  update($('bulk-status'), ...nodes);
}

async function count(request) {
  const path = `/api/admin/jobs/queues/${encodeURIComponent(request.queue)}/bulk/count`;
  const body = { action: request.action, state: request.state, filter: request.filter };
  let answer = await post(path, body);
  const { asOf } = answer;
  const sample = [...answer.sample];
  while (!answer.complete && !state.stop) {
    status(h('p', {}, `Counting… ${n(answer.count)} so far`));
    answer = await post(path, { ...body, asOf, cursor: answer.cursor });
    sample.push(...answer.sample);
  }
  return answer.complete ? { count: answer.count, asOf, sample } : null;
}

function progress(request, expected, step) {
  const handled = step.total.acted + step.total.skipped;
  return [
    h('progress', { max: String(Math.max(expected, 1)), value: String(Math.min(handled, expected)), 'aria-label': `Bulk ${VERB[request.action][2]} progress` }),
    h('p', {}, `${VERB[request.action][1]} ${n(step.total.acted)} of ${n(expected)}`,
      step.total.skipped ? ` (${n(step.total.skipped)} skipped: moved meanwhile)` : '', step.done ? '.' : '…'),
  ];
}

async function run(form, ctx) {
  const request = readForm(form);
  $('bulk-error').textContent = '';
  state.running = true;
  state.stop = false;
  $('bulk-count').disabled = true;
  $('bulk-stop').hidden = false;
  try {
    status(h('p', {}, 'Counting…'));
    const counted = await count(request);
    if (!counted) return void status(h('p', {}, 'Stopped while counting; nothing was changed.'));
    if (counted.count === 0) return void status(h('p', {}, 'No job matches: nothing to do.'));
    status(h('p', {}, `${n(counted.count)} match. First: `, counted.sample.slice(0, 5).map((s) => s.id).join(', ')));
    if (!(await confirmAction(describeBulk(request, counted.count), VERB[request.action][0]))) return void status(h('p', {}, 'Cancelled; nothing was changed.'));
    const path = `/api/admin/jobs/queues/${encodeURIComponent(request.queue)}/bulk`;
    const body = { action: request.action, state: request.state, filter: request.filter, asOf: counted.asOf, expected: counted.count };
    let step = await post(path, body);
    status(...progress(request, counted.count, step));
    while (!step.done && !state.stop) {
      step = await post(path, { ...body, cursor: step.cursor });
      status(...progress(request, counted.count, step));
    }
    const extra = step.moreThanExpected ? ' More jobs match now than were counted; they were left alone (count again to see them).' : '';
    const summary = `${VERB[request.action][1]} ${n(step.total.acted)} ${request.state} job${step.total.acted === 1 ? '' : 's'} of ${request.queue}`
      + `${step.total.skipped ? `, ${n(step.total.skipped)} skipped (moved meanwhile)` : ''}.${extra}`;
    if (!step.done) status(...progress(request, counted.count, step), h('p', {}, `Stopped. ${summary}`));
    await ctx.act(async () => (step.done ? summary : `Stopped. ${summary}`));
  } catch (err) {
    $('bulk-error').textContent = describeError(err);
  } finally {
    state.running = false;
    $('bulk-count').disabled = false;
    $('bulk-stop').hidden = true;
  }
}

export function setupBulk(ctx) {
  const form = $('bulk-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.running) void run(form, ctx);
  });
  $('bulk-action').addEventListener('change', () => {
    const first = FIRST_STATE[$('bulk-action').value];
    if (first) $('bulk-state').value = first;
  });
  $('bulk-stop').addEventListener('click', () => {
    state.stop = true;
  });
}
