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

// The series charts (metrics over time) are wider and taller: up to a few thousand buckets.
const SW = 600;
const SH = 120;

/**
 * Bars over a series of buckets (metrics over time): `stacks` is [{ cls, label, values }], each
 * bucket's values stacked bottom up in that order. `scale` labels the left and right ends.
 */
export function seriesBars({ title, summary, label, stacks, scale }) {
  const n = Math.max(1, ...stacks.map((s) => s.values.length));
  const totals = Array.from({ length: n }, (_, i) => stacks.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const peak = Math.max(0, ...totals);
  const unit = (SH - 4) / Math.max(1, peak);
  const slot = SW / n;
  const bars = [];
  for (let i = 0; i < n; i += 1) {
    let y = SH;
    for (const s of stacks) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const height = v * unit;
      y -= height;
      bars.push(svg('rect', { class: s.cls, x: (i * slot + slot * 0.1).toFixed(2), width: Math.max(0.5, slot * 0.8).toFixed(2), y: y.toFixed(2), height: height.toFixed(2) },
        svg('title', {}, `${scale.at(i)}: ${v} ${s.label}`)));
    }
  }
  return figure(title, summary, label, [svg('line', { class: 'chart-axis', x1: 0, x2: SW, y1: SH - 0.5, y2: SH - 0.5 }), bars], scale);
}

/**
 * Lines over a series of buckets, one per `lines` entry ({ cls, label, values }); a null value
 * (a bucket without jobs) breaks its line. Each value is a point with its own tooltip.
 */
export function seriesLines({ title, summary, label, lines, scale, format }) {
  const n = Math.max(1, ...lines.map((l) => l.values.length));
  const peak = Math.max(0, ...lines.flatMap((l) => l.values.filter((v) => v !== null)));
  const unit = (SH - 6) / Math.max(1, peak);
  const x = (i) => ((i + 0.5) * SW) / n;
  const y = (v) => SH - 3 - v * unit;
  const marks = [];
  for (const l of lines) {
    let run = [];
    const flush = () => {
      if (run.length > 1) marks.push(svg('polyline', { class: `line ${l.cls}`, points: run.join(' ') }));
      run = [];
    };
    l.values.forEach((v, i) => {
      if (v === null) return flush();
      run.push(`${x(i).toFixed(2)},${y(v).toFixed(2)}`);
      marks.push(svg('circle', { class: `point ${l.cls}`, cx: x(i).toFixed(2), cy: y(v).toFixed(2), r: 2.5 }, svg('title', {}, `${scale.at(i)}: ${l.label} ${format(v)}`)));
    });
    flush();
  }
  return figure(title, summary, label, [svg('line', { class: 'chart-axis', x1: 0, x2: SW, y1: SH - 0.5, y2: SH - 0.5 }), marks], scale);
}

function figure(title, summary, label, content, scale) {
  return h('figure', { class: 'chart' },
    h('figcaption', {}, h('strong', {}, title), h('span', { class: 'muted chart-sums' }, summary)),
    svg('svg', { viewBox: `0 0 ${SW} ${SH}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'chart-svg chart-series' }, svg('title', {}, label), content),
    h('div', { class: 'chart-scale muted', 'aria-hidden': 'true' }, h('span', {}, scale.first), h('span', {}, scale.last)));
}
