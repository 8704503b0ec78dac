import { h, svg } from './dom.js';

const W = 300;
const H = 72;

/**
 * Completed (bottom) and failed (stacked on top) jobs per minute over the last hour, oldest
 * minute on the left; colours come from classes in styles.css, so the strict CSP holds.
 */
export function throughputChart(queue) {
  const completed = queue.perMinute?.completed ?? [];
  const failed = queue.perMinute?.failed ?? [];
  const minutes = Math.max(completed.length, failed.length, 1);
  const totals = Array.from({ length: minutes }, (_, i) => (completed[i] ?? 0) + (failed[i] ?? 0));
  const peak = Math.max(0, ...totals);
  const max = Math.max(1, peak);
  const slot = W / minutes;
  const scale = (n) => (n / max) * (H - 4);
  const bars = [];
  for (let i = 0; i < minutes; i += 1) {
    const ok = completed[i] ?? 0;
    const bad = failed[i] ?? 0;
    const x = (i * slot + 0.5).toFixed(2);
    const w = Math.max(1, slot - 1).toFixed(2);
    if (ok > 0) bars.push(svg('rect', { class: 'bar-completed', x, width: w, y: (H - scale(ok)).toFixed(2), height: scale(ok).toFixed(2) }));
    if (bad > 0) bars.push(svg('rect', { class: 'bar-failed', x, width: w, y: (H - scale(ok) - scale(bad)).toFixed(2), height: scale(bad).toFixed(2) }));
  }
  const sumOk = queue.lastHour?.completed ?? completed.reduce((a, b) => a + b, 0);
  const sumBad = queue.lastHour?.failed ?? failed.reduce((a, b) => a + b, 0);
  const label = `${queue.name}: ${sumOk} completed and ${sumBad} failed in the last hour, at most ${peak} a minute`;
  return h('figure', { class: 'chart' },
    h('figcaption', {}, h('strong', {}, queue.name), h('span', { class: 'muted chart-sums' }, `${sumOk} completed · ${sumBad} failed · peak ${peak}/min`)),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'chart-svg' },
      svg('title', {}, label),
      svg('line', { class: 'chart-axis', x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5 }),
      bars),
    h('div', { class: 'chart-scale muted', 'aria-hidden': 'true' }, h('span', {}, '60 min ago'), h('span', {}, 'now')));
}

export function chartLegend() {
  return h('p', { class: 'legend' },
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-completed', 'aria-hidden': 'true' }), 'Completed per minute'),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-failed', 'aria-hidden': 'true' }), 'Failed per minute'));
}
