/** Shared building blocks of the pages. Everything goes through h(), so data is always text. */
import { h } from './h.js';

export function pageHeader(title, ...actions) {
  return h('header', { class: 'page-header' }, h('h1', null, title), h('div', { class: 'actions' }, actions));
}

export function card(title, ...body) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, body);
}

/** Makes a card span the whole grid row. */
export function wide(el) {
  el.classList.add('wide');
  return el;
}

export function empty(message) {
  return h('p', { class: 'empty' }, message);
}

export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error));
}

export function loading() {
  return h('p', { class: 'loading' }, 'Loading…');
}

/** A table: columns [{ label, cell(row) → node|string, class? }]. */
export function table(columns, rows, options = {}) {
  if (!rows.length) return empty(options.empty ?? 'Nothing to show.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: options.class ?? 'data' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((c) => h('th', { class: c.class }, c.label)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            null,
            columns.map((c) => h('td', { class: c.class }, c.cell(row))),
          ),
        ),
      ),
    ),
  );
}

/** Big-number tiles: [{ label, value, class? }]. */
export function tiles(items) {
  return h(
    'div',
    { class: 'tiles' },
    items.map((t) =>
      h(
        'div',
        { class: ['tile', t.class] },
        h('span', { class: 'tile-value' }, t.value),
        h('span', { class: 'tile-label' }, t.label),
      ),
    ),
  );
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** A canvas in a sized box (chart.js needs a positioned parent to be responsive). */
export function chartBox(label) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  return { box: h('div', { class: 'chart-box' }, canvas), canvas };
}

export function button(label, onClick, cls = '') {
  return h('button', { type: 'button', class: cls, on: { click: onClick } }, label);
}

/** Whether the role may take triage actions (the API enforces it regardless). */
export function canAct(role) {
  return role === 'responder' || role === 'admin';
}

/** A short-lived message at the bottom of the screen. */
export function toast(message, kind = 'info') {
  const el = h('div', { class: ['toast', kind], role: 'status' }, message);
  document.body.appendChild(el);
  setTimeout(() => el.remove(), 4000);
}
