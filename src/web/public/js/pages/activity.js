/**
 * API activity: calls over time grouped by service, API, region or principal; error and AccessDenied
 * rates with spikes marked; top callers; and a drill-down event search whose rows open the raw record.
 */
import { h, replace } from '../lib/h.js';
import { apiPath, get } from '../lib/api.js';
import { color, cssVar, makeChart, timeLabel } from '../lib/charts.js';
import { fmtNumber, fmtPercent, fmtTime } from '../lib/format.js';
import { button, card, chartBox, empty, errorBox, loading, pageHeader, table, wide } from '../lib/ui.js';

const GROUPS = [
  ['service', 'Service'],
  ['eventName', 'API'],
  ['region', 'Region'],
  ['principal', 'Principal'],
];
export const PERIODS = [
  [1, 'Last hour'],
  [6, 'Last 6 hours'],
  [24, 'Last 24 hours'],
  [168, 'Last 7 days'],
];

/** since/until (ISO) for the last `hours` hours. */
export function range(hours) {
  const until = Date.now();
  return { since: new Date(until - hours * 3_600_000).toISOString(), until: new Date(until).toISOString() };
}

export function periodSelect(id, initial = 24) {
  return h(
    'select',
    { id, 'aria-label': 'Period' },
    PERIODS.map(([n, label]) => h('option', { value: String(n), selected: n === initial }, label)),
  );
}

export async function render(ctx) {
  const { main, params } = ctx;
  const period = periodSelect('activity-period');
  const group = h(
    'select',
    { id: 'activity-group', 'aria-label': 'Group by' },
    GROUPS.map(([k, label]) => h('option', { value: k }, `By ${label.toLowerCase()}`)),
  );
  const calls = chartBox('API calls over time');
  const errors = chartBox('Error and AccessDenied rates over time');
  const callersBody = h('div', null, loading());
  const searchBody = h('div', { id: 'event-results' });
  const q = h('input', {
    type: 'search',
    id: 'event-q',
    placeholder: 'Event name, principal, IP, user agent, error code',
    props: { value: params.get('q') ?? '' },
  });
  const errorsOnly = h(
    'select',
    { id: 'event-errors', 'aria-label': 'Errors' },
    h('option', { value: '' }, 'All calls'),
    h('option', { value: 'errors' }, 'Errors'),
    h('option', { value: 'denied' }, 'AccessDenied'),
  );
  const search = h(
    'form',
    { class: 'filters', role: 'search' },
    q,
    errorsOnly,
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  const spikeNote = h('p', { class: 'muted', id: 'spikes' });
  replace(
    main,
    pageHeader('API activity', group, period),
    h(
      'div',
      { class: 'grid' },
      wide(card('Calls over time', calls.box)),
      wide(card('Error and AccessDenied rates', errors.box, spikeNote)),
      wide(card('Top callers', callersBody)),
      wide(card('Events', search, searchBody)),
    ),
  );
  let charts = [];
  ctx.onLeave(() => charts.forEach((c) => c.destroy()));

  const runSearch = async (cursor) => {
    if (!cursor) replace(searchBody, loading());
    try {
      const page = await get('/api/events', {
        q: q.value.trim(),
        errors: errorsOnly.value,
        ...range(Number(period.value)),
        limit: 50,
        cursor,
      });
      const rows = eventTable(page.events ?? page.items ?? []);
      if (!cursor) replace(searchBody);
      searchBody.querySelector('.more')?.remove();
      searchBody.append(rows);
      if (page.nextCursor) searchBody.append(button('More', () => runSearch(page.nextCursor), 'more'));
    } catch (error) {
      replace(searchBody, errorBox(error));
    }
  };
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    void runSearch();
  });

  const load = async () => {
    charts.forEach((c) => c.destroy());
    charts = [];
    const r = range(Number(period.value));
    const [series, errs, callers] = await Promise.allSettled([
      get('/api/activity/series', { group: group.value, ...r }),
      get('/api/activity/errors', r),
      get('/api/activity/top-callers', r),
    ]);
    if (series.status === 'fulfilled') charts.push(callsChart(calls.canvas, series.value));
    else calls.box.replaceChildren(errorBox(series.reason));
    if (errs.status === 'fulfilled') {
      charts.push(errorsChart(errors.canvas, errs.value));
      const spikes = errs.value.spikes ?? [];
      spikeNote.textContent = spikes.length
        ? `Spikes: ${spikes.map((s) => `${s.kind} at ${fmtTime(s.time)} (${s.count} vs mean ${Number(s.mean).toFixed(1)})`).join('; ')}`
        : 'No spikes in this period.';
    } else errors.box.replaceChildren(errorBox(errs.reason));
    if (callers.status === 'fulfilled') replace(callersBody, callersTable(callers.value, q, runSearch));
    else replace(callersBody, errorBox(callers.reason));
  };
  period.addEventListener('change', () => void load());
  group.addEventListener('change', () => void load());
  await load();
  if (q.value) await runSearch();
}

function callsChart(canvas, s) {
  return makeChart(canvas, () => ({
    type: 'line',
    data: {
      labels: (s.times ?? []).map(timeLabel),
      datasets: (s.series ?? []).map((x, i) => ({
        label: x.key,
        data: x.counts,
        borderColor: color(i),
        backgroundColor: color(i),
        pointRadius: 0,
        tension: 0.2,
      })),
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true } } },
  }));
}

function errorsChart(canvas, s) {
  const times = s.times ?? [];
  const rate = (arr) => arr.map((n, i) => (s.total?.[i] ? (n / s.total[i]) * 100 : 0));
  const spikeAt = (kind, values) => {
    const at = new Set((s.spikes ?? []).filter((x) => x.kind === kind).map((x) => x.time));
    return times.map((t, i) => (at.has(t) ? values[i] : null));
  };
  const errorRate = rate(s.errors ?? []);
  const deniedRate = rate(s.denied ?? []);
  return makeChart(canvas, () => ({
    type: 'line',
    data: {
      labels: times.map(timeLabel),
      datasets: [
        { label: 'Error rate %', data: errorRate, borderColor: color(3), pointRadius: 0 },
        { label: 'AccessDenied rate %', data: deniedRate, borderColor: color(4), pointRadius: 0 },
        {
          label: 'Spike',
          data: spikeAt('errors', errorRate),
          showLine: false,
          pointRadius: 7,
          pointStyle: 'triangle',
          borderColor: cssVar('--sev-critical'),
          backgroundColor: cssVar('--sev-critical'),
        },
        {
          label: 'Denied spike',
          data: spikeAt('denied', deniedRate),
          showLine: false,
          pointRadius: 7,
          pointStyle: 'triangle',
          borderColor: cssVar('--sev-high'),
          backgroundColor: cssVar('--sev-high'),
        },
      ],
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true } } },
  }));
}

function callersTable(data, q, runSearch) {
  const rows = Array.isArray(data) ? data : (data?.callers ?? data?.items ?? []);
  return table(
    [
      {
        label: 'Principal',
        cell: (c) => button(c.principal, () => ((q.value = c.principal), void runSearch()), 'link'),
        class: 'wrap',
      },
      { label: 'Calls', cell: (c) => fmtNumber(c.calls), class: 'num' },
      { label: 'Errors', cell: (c) => fmtPercent(c.calls ? c.errors / c.calls : 0), class: 'num' },
      { label: 'Denied', cell: (c) => fmtNumber(c.denied), class: 'num' },
      { label: 'Services', cell: (c) => fmtNumber(c.services), class: 'num' },
      { label: 'Last seen', cell: (c) => fmtTime(c.lastSeen), class: 'nowrap' },
    ],
    rows,
    { empty: 'No calls in this period.' },
  );
}

/** A table of event summaries; each row can show its raw record. */
export function eventTable(events, extra = []) {
  if (!events.length) return empty('No events match.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data events' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Time', 'API', 'Principal', 'Source IP', 'Region', 'Error', ...extra.map((c) => c.label), ''].map(
            (l) => h('th', null, l),
          ),
        ),
      ),
      events.map((e) => {
        const raw = h('pre', { class: 'raw' });
        const rawRow = h(
          'tr',
          { class: 'raw-row', hidden: true },
          h('td', { colspan: String(7 + extra.length) }, raw),
        );
        const show = button(
          'Raw',
          async () => {
            rawRow.hidden = !rawRow.hidden;
            if (rawRow.hidden || raw.textContent) return;
            try {
              const full = await get(apiPath('events', e.eventId));
              raw.textContent = JSON.stringify(full.raw ?? full, null, 2);
            } catch (error) {
              raw.textContent = error.message;
            }
          },
          'small',
        );
        return h(
          'tbody',
          null,
          h(
            'tr',
            null,
            h('td', { class: 'nowrap' }, fmtTime(e.time)),
            h('td', { class: 'mono' }, `${e.service ?? e.eventSource ?? ''} ${e.eventName ?? ''}`.trim()),
            h('td', { class: 'wrap' }, e.principal ?? '—'),
            h('td', { class: 'mono' }, e.sourceIp ?? '—'),
            h('td', null, e.region ?? '—'),
            h('td', { class: e.errorClass === 'denied' ? 'bad' : '' }, e.errorCode ?? ''),
            extra.map((c) => h('td', { class: c.class }, c.cell(e))),
            h('td', null, show),
          ),
          rawRow,
        );
      }),
    ),
  );
}
