/* global document, CSS, Node */
// DOM helpers. Everything from the API goes in through textContent or attributes, never HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** h('button', { class: 'x', onclick: fn, hidden: true }, 'text', childNode) */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  return append(node, children);
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return append(node, children);
}

/**
 * Replaces a container's content, keeping what the person was doing: the focused control
 * (by data-focus-key), open <details> (by data-key) and horizontal scroll (by data-scroll-key).
 */
export function update(container, ...nodes) {
  const active = document.activeElement;
  const focusKey = active && active !== container && container.contains(active) ? active.dataset.focusKey ?? '' : null;
  const open = new Set([...container.querySelectorAll('details[data-key]')].filter((d) => d.open).map((d) => d.dataset.key));
  const scroll = new Map([...container.querySelectorAll('[data-scroll-key]')].map((e) => [e.dataset.scrollKey, e.scrollLeft]));
  container.replaceChildren();
  append(container, nodes);
  for (const d of container.querySelectorAll('details[data-key]')) if (open.has(d.dataset.key)) d.open = true;
  for (const e of container.querySelectorAll('[data-scroll-key]')) e.scrollLeft = scroll.get(e.dataset.scrollKey) ?? 0;
  if (focusKey === null) return;
  const again = focusKey && container.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
  if (again) again.focus();
  else container.closest('section')?.querySelector('h2')?.focus();
}

/** A captioned table in a horizontally scrolling, keyboard-focusable region. */
export function table({ caption, columns, rows, key, empty = 'Nothing to show.' }) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const cls = (c) => (c.numeric ? 'num' : c.wrap ? 'wrap' : null);
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: cls(c) }, c.label)));
  const body = rows.map((row) => h('tr', {}, columns.map((c, i) => {
    const content = c.cell(row);
    return i === 0 ? h('th', { scope: 'row' }, content) : h('td', { class: cls(c) }, content);
  })));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption, dataset: { scrollKey: key, focusKey: `table-${key}` } },
    h('table', {}, h('caption', { class: 'visually-hidden' }, caption), h('thead', {}, head), h('tbody', {}, body)));
}

export function badge(text, kind) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** 2025-10-01 09:00 UTC: one unambiguous clock for every admin. */
export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function relative(iso, now = Date.now()) {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min']
    : abs < 172_800 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86_400), 'd'];
  if (abs < 2) return 'just now';
  return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** A <time> showing relative time, with the exact time as its tooltip and datetime. */
export function timeAgo(iso) {
  if (!iso) return 'never';
  return h('time', { datetime: iso, title: formatDate(iso) }, relative(iso));
}

/** Previous / "Page x of y" / Next; calls go(page). */
export function pager(label, pagination, go) {
  if (!pagination || pagination.totalPages <= 1) return null;
  const { page, totalPages, total } = pagination;
  return h('nav', { class: 'pager', 'aria-label': label },
    h('button', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1), dataset: { focusKey: `${label}-prev` } }, 'Previous'),
    h('span', { class: 'muted' }, `Page ${page} of ${totalPages} (${total})`),
    h('button', { type: 'button', disabled: page >= totalPages, onclick: () => go(page + 1), dataset: { focusKey: `${label}-next` } }, 'Next'));
}
