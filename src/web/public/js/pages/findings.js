/**
 * Findings: every filter of GET /api/findings, sortable columns, paging, and bulk actions on the
 * selected rows. Filters live in the hash query, so a filtered view can be bookmarked and shared.
 */
import { h, replace } from '../lib/h.js';
import { get, post } from '../lib/api.js';
import { replaceParams } from '../lib/router.js';
import { SEVERITIES, STATUSES, fmtNumber, fmtTime, localToIso, sevClass } from '../lib/format.js';
import { button, canAct, empty, errorBox, loading, pageHeader, toast } from '../lib/ui.js';
import { subscribe } from '../lib/live.js';
import { actionDone, actionLabel, statusDialog } from './workflow.js';

const TEXT_FILTERS = [
  ['type', 'Type'],
  ['account', 'Account'],
  ['region', 'Region'],
  ['principal', 'Principal'],
  ['ip', 'Source IP'],
];
const LABELS = {
  ...Object.fromEntries(TEXT_FILTERS),
  q: 'Search',
  lastSeenFrom: 'Last seen from',
  lastSeenTo: 'Last seen to',
};
/** [sort key, label, sortable]: the API sorts by severity, lastSeen, firstSeen, count and type. */
const COLUMNS = [
  ['severity', 'Severity'],
  ['title', 'Title', false],
  ['type', 'Type'],
  ['principal', 'Principal', false],
  ['account', 'Account', false],
  ['status', 'Status', false],
  ['count', 'Count'],
  ['lastSeen', 'Last seen'],
];
const PAGE = 50;

export async function render(ctx) {
  const { main, params, role } = ctx;
  const f = Object.fromEntries(params.entries());
  const state = {
    filters: f,
    sort: f.sort ?? 'severity',
    order: f.order ?? 'desc',
    offset: Number(f.offset ?? 0) || 0,
    selected: new Set(),
  };

  const control = (name, el) => {
    el.id = `filter-${name}`;
    el.name = name;
    return h('label', { class: 'filter' }, h('span', null, labelOf(name)), el);
  };
  const select = (name, options) =>
    control(
      name,
      h(
        'select',
        null,
        h('option', { value: '' }, 'any'),
        options.map((o) => h('option', { value: o, selected: f[name] === o }, o)),
      ),
    );
  const input = (name, attrs = {}) =>
    control(name, h('input', { ...attrs, props: { value: f[name] ?? '' } }));
  const toLocal = (iso) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');

  const showSuppressed = h('input', {
    type: 'checkbox',
    id: 'filter-suppressed',
    props: { checked: f.suppressed === 'true' },
  });
  const form = h(
    'form',
    { class: 'filters', id: 'findings-filters', role: 'search' },
    input('q', { type: 'search', placeholder: 'Free text (title, principal, ARN…)' }),
    select('severity', SEVERITIES),
    select('status', STATUSES),
    TEXT_FILTERS.map(([name]) => input(name)),
    control(
      'lastSeenFrom',
      h('input', { type: 'datetime-local', props: { value: toLocal(f.lastSeenFrom) } }),
    ),
    control('lastSeenTo', h('input', { type: 'datetime-local', props: { value: toLocal(f.lastSeenTo) } })),
    h('label', { class: 'check' }, showSuppressed, 'Show suppressed'),
    h(
      'div',
      { class: 'filter-buttons' },
      h('button', { type: 'submit', class: 'primary', id: 'apply-filters' }, 'Apply'),
      button('Clear', () => {
        state.filters = {};
        state.offset = 0;
        replaceParams({});
        render(ctx);
      }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const [k, v] of data.entries()) {
      const value = String(v).trim();
      if (!value) continue;
      next[k] = k === 'lastSeenFrom' || k === 'lastSeenTo' ? localToIso(value) : value;
    }
    if (showSuppressed.checked) next.suppressed = 'true';
    state.filters = next;
    state.offset = 0;
    void load();
  });

  const bulkBar = h('div', { class: 'bulk', id: 'bulk-bar', hidden: true });
  const results = h('div', { id: 'findings-results' }, loading());
  replace(main, pageHeader('Findings'), form, canAct(role) ? bulkBar : null, results);

  const paintBulk = () => {
    if (!canAct(role)) return;
    bulkBar.hidden = state.selected.size === 0;
    replace(
      bulkBar,
      h('span', null, `${state.selected.size} selected`),
      ['ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED', 'NEW'].map((status) =>
        button(actionLabel(status), () => bulk(status), status === 'SUPPRESSED' ? 'warn' : ''),
      ),
      button(
        'Clear selection',
        () => {
          state.selected.clear();
          void load();
        },
        'ghost',
      ),
    );
  };

  const bulk = (status) =>
    statusDialog(
      status,
      `${state.selected.size} findings`,
      async (body) => {
        const ids = [...state.selected];
        await post('/api/findings/bulk', { ids, ...body });
        toast(`${ids.length} findings ${actionDone(status)}`);
        state.selected.clear();
        await load();
      },
      { note: false },
    );

  async function load() {
    const { suppressed, ...filters } = state.filters;
    // Suppressed findings stay stored; they are listed only when asked for (the box, or status=SUPPRESSED).
    if (!filters.status && suppressed !== 'true') filters.status = 'NEW,ACKNOWLEDGED,RESOLVED';
    const q = { ...filters, sort: state.sort, order: state.order, limit: PAGE, offset: state.offset };
    replaceParams({
      ...state.filters,
      sort: state.sort,
      order: state.order,
      offset: state.offset || undefined,
    });
    let page;
    try {
      page = await get('/api/findings', q);
    } catch (error) {
      replace(results, errorBox(error));
      return;
    }
    paintBulk();
    replace(results, resultTable(page));
  }

  function resultTable(page) {
    const items = page.items ?? [];
    const total = page.total ?? items.length;
    if (!items.length) return empty('No findings match these filters.');
    const all = h('input', {
      type: 'checkbox',
      'aria-label': 'Select all on this page',
      props: { checked: items.every((i) => state.selected.has(i.id)) },
    });
    all.addEventListener('change', () => {
      for (const i of items) toggle(state.selected, i.id, all.checked);
      void load();
    });
    const header = COLUMNS.map(([key, label, sortable = true]) => {
      if (!sortable) return h('th', null, label);
      const active = state.sort === key;
      const arrow = active ? (state.order === 'asc' ? ' ▲' : ' ▼') : '';
      return h(
        'th',
        { 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : undefined },
        button(
          label + arrow,
          () => {
            if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
            else [state.sort, state.order] = [key, key === 'type' ? 'asc' : 'desc'];
            state.offset = 0;
            void load();
          },
          'sort',
        ),
      );
    });
    const rows = items.map((f) => {
      const check = h('input', {
        type: 'checkbox',
        'aria-label': 'Select finding',
        props: { checked: state.selected.has(f.id) },
      });
      check.addEventListener('change', () => {
        toggle(state.selected, f.id, check.checked);
        paintBulk();
      });
      return h(
        'tr',
        { class: f.status === 'SUPPRESSED' ? 'suppressed' : undefined },
        canAct(role) ? h('td', { class: 'select' }, check) : null,
        h('td', null, h('span', { class: sevClass(f.severityLabel) }, f.severityLabel)),
        h('td', { class: 'wrap' }, h('a', { route: ['findings', f.id], class: 'finding-link' }, f.title)),
        h('td', { class: 'wrap mono small' }, f.type),
        h('td', { class: 'wrap' }, f.actor?.principal ?? '—'),
        h('td', { class: 'mono' }, f.accountId),
        h('td', null, h('span', { class: `status status-${String(f.status).toLowerCase()}` }, f.status)),
        h('td', { class: 'num' }, fmtNumber(f.count)),
        h('td', { class: 'nowrap' }, fmtTime(f.lastSeen)),
      );
    });
    const pager = h(
      'div',
      { class: 'pager' },
      button('← Previous', () => {
        state.offset = Math.max(0, state.offset - PAGE);
        void load();
      }),
      h(
        'span',
        { id: 'findings-count' },
        `${fmtNumber(state.offset + 1)}–${fmtNumber(state.offset + items.length)} of ${fmtNumber(total)}`,
      ),
      button('Next →', () => {
        state.offset += PAGE;
        void load();
      }),
    );
    pager.firstChild.disabled = state.offset === 0;
    pager.lastChild.disabled = state.offset + items.length >= total;
    return h(
      'div',
      null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'findings-table' },
          h('thead', null, h('tr', null, canAct(role) ? h('th', { class: 'select' }, all) : null, header)),
          h('tbody', null, rows),
        ),
      ),
      pager,
    );
  }

  let pending;
  ctx.onLeave(
    subscribe('finding', () => {
      if (pending || state.offset > 0) return;
      pending = setTimeout(() => {
        pending = undefined;
        void load();
      }, 2000);
    }),
  );
  ctx.onLeave(() => clearTimeout(pending));
  await load();
}

function toggle(set, id, on) {
  if (on) set.add(id);
  else set.delete(id);
}

function labelOf(name) {
  return LABELS[name] ?? name[0].toUpperCase() + name.slice(1);
}
