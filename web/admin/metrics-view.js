/* global document, FormData */
// Metrics over time: one queue (or all) over a range preset, at a granularity (automatic by
// default): completed/failed bars and p95 run/wait lines from GET …/queues/:queue/metrics.
import { api, describeError, qs } from './api.js';
import { seriesBars, seriesLines } from './chart.js';
import { h, update } from './dom.js';

const $ = (id) => document.getElementById(id);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SIZE = { minute: MINUTE, hour: HOUR, day: DAY };
/** The API's cap on buckets per request: a granularity that would exceed it is not offered. */
const MAX_BUCKETS = 2_200;

/** Range presets: how far back, and the granularity picked when none is chosen. */
const RANGES = {
  '1h': { label: 'last hour', since: (now) => now - HOUR, auto: 'minute' },
  '24h': { label: 'last 24 hours', since: (now) => now - DAY, auto: 'hour' },
  '7d': { label: 'last 7 days', since: (now) => now - 7 * DAY, auto: 'hour' },
  '90d': { label: 'last 90 days', since: (now) => now - 90 * DAY, auto: 'day' },
  '13mo': { label: 'last 13 months', since: (now) => { const d = new Date(now); d.setUTCMonth(d.getUTCMonth() - 13); return d.getTime(); }, auto: 'day' },
};
const state = { queues: null };

/** The form's choice: queue, range preset and the granularity (automatic: the preset's). */
function choice() {
  const form = new FormData($('metrics-form'));
  const range = RANGES[form.get('range')] ? String(form.get('range')) : '24h';
  const picked = String(form.get('granularity') ?? '');
  return { queue: String(form.get('queue') || 'all'), range, granularity: SIZE[picked] ? picked : RANGES[range].auto };
}

/** Granularities whose bucket count for the range passes the cap stay enabled; the others are greyed out. */
function limitGranularities(range) {
  const now = Date.now();
  const span = now - RANGES[range].since(now);
  for (const option of $('metrics-granularity').options) {
    if (!SIZE[option.value]) continue;
    option.disabled = Math.ceil(span / SIZE[option.value]) + 1 > MAX_BUCKETS;
    if (option.disabled && option.selected) $('metrics-granularity').value = '';
  }
}

const seconds = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const when = (iso, g) => (g === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')}`);

/** Draws a series (the API's data) into the panel. */
export function renderMetrics(el, data, rangeLabel) {
  const { buckets, granularity: g } = data;
  const completed = buckets.map((b) => b.completed);
  const failed = buckets.map((b) => b.failed);
  const sumOk = completed.reduce((a, b) => a + b, 0);
  const sumBad = failed.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...buckets.map((b) => b.completed + b.failed));
  const runP95 = buckets.map((b) => b.runMs?.p95 ?? null);
  const waitP95 = buckets.map((b) => b.waitMs?.p95 ?? null);
  const worst = (values) => Math.max(0, ...values.filter((v) => v !== null));
  const scale = { first: `${when(data.from, g)} UTC`, last: `${when(data.to, g)} UTC`, at: (i) => `${when(buckets[i].start, g)} UTC` };
  const name = data.queue === 'all' ? 'All queues' : data.queue;
  if (sumOk + sumBad === 0) {
    update(el, h('p', { class: 'empty' }, `${name}: no job finished in the ${rangeLabel} (${buckets.length} ${g} buckets; the current ${g} appears once it closes).`));
    return;
  }
  update(el,
    h('div', { class: 'charts charts-series' },
      seriesBars({
        title: `${name}: jobs per ${g}`, summary: `${sumOk} completed · ${sumBad} failed · peak ${peak}/${g}`,
        label: `${name}: ${sumOk} completed and ${sumBad} failed in the ${rangeLabel}, at most ${peak} a ${g}`,
        stacks: [{ cls: 'bar-completed', label: 'completed', values: completed }, { cls: 'bar-failed', label: 'failed', values: failed }], scale,
      }),
      seriesLines({
        title: `${name}: p95 run and wait time`, summary: `worst p95: run ${seconds(worst(runP95))} · wait ${seconds(worst(waitP95))}`,
        label: `${name}: p95 run time up to ${seconds(worst(runP95))} and p95 wait time up to ${seconds(worst(waitP95))} per ${g} in the ${rangeLabel}`,
        lines: [{ cls: 'series-run', label: 'p95 run', values: runP95 }, { cls: 'series-wait', label: 'p95 wait', values: waitP95 }], scale, format: seconds,
      })),
    h('p', { class: 'legend' },
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-completed', 'aria-hidden': 'true' }), `Completed per ${g}`),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-failed', 'aria-hidden': 'true' }), `Failed per ${g}`),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-run', 'aria-hidden': 'true' }), 'p95 run time'),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-wait', 'aria-hidden': 'true' }), 'p95 wait time (due to started)')));
}

/** The queue picker's options, from the queue list (once). */
async function fillQueues() {
  if (state.queues) return;
  state.queues = (await api('/api/admin/jobs/queues')).data.map((q) => q.name);
  const select = $('metrics-queue');
  for (const name of state.queues) select.append(h('option', { value: name }, name));
}

/** Loads the chosen series (the dashboard's slow refresh, and every change of the form). */
export async function loadMetrics() {
  await fillQueues();
  const { queue, range, granularity } = choice();
  limitGranularities(range);
  const from = new Date(RANGES[range].since(Date.now())).toISOString();
  const res = await api(`/api/admin/jobs/queues/${encodeURIComponent(queue)}/metrics${qs({ granularity, from })}`);
  $('metrics-error').textContent = '';
  renderMetrics($('metrics-body'), res.data, RANGES[range].label);
}

/** Any change of queue, range or granularity reloads the charts; a failure is told in the form. */
export function setupMetrics() {
  const form = $('metrics-form');
  const reload = async () => {
    try {
      await loadMetrics();
    } catch (err) {
      $('metrics-error').textContent = describeError(err);
    }
  };
  form.addEventListener('change', () => void reload());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void reload();
  });
}
