/**
 * Overview: findings by severity now and over time, newest findings, top types, principals and source
 * IPs, accounts and regions. Refreshed when the live stream reports a new or changed finding.
 */
import { h, replace } from '../lib/h.js';
import { get } from '../lib/api.js';
import { subscribe } from '../lib/live.js';
import { makeChart, cssVar, SEVERITY_COLORS, timeLabel } from '../lib/charts.js';
import { SEVERITIES, fmtNumber, fmtTime, sevClass } from '../lib/format.js';
import { card, chartBox, empty, errorBox, loading, pageHeader, table, tiles, wide } from '../lib/ui.js';

const wideCard = (...args) => wide(card(...args));

export async function render(ctx) {
  const { main } = ctx;
  const body = h('div', { class: 'grid', id: 'overview' }, loading());
  replace(main, pageHeader('Overview'), body);
  let trend;
  let pending;
  const load = async () => {
    let data;
    try {
      data = await get('/api/overview');
    } catch (error) {
      replace(body, errorBox(error));
      return;
    }
    trend?.destroy();
    trend = draw(body, data);
  };
  ctx.onLeave(() => trend?.destroy());
  // Bursts of findings arrive together: refresh at most once a second.
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      void load();
    }, 1000);
  };
  ctx.onLeave(subscribe('finding', refresh));
  ctx.onLeave(subscribe('stats', refresh));
  ctx.onLeave(() => clearTimeout(pending));
  await load();
}

function countOf(bySeverity, label) {
  if (!bySeverity) return 0;
  if (Array.isArray(bySeverity))
    return bySeverity.find((s) => s.severity === label || s.label === label)?.count ?? 0;
  return bySeverity[label] ?? 0;
}

function draw(body, data) {
  const bySeverity = data.open ?? {};
  const sevTiles = tiles(
    SEVERITIES.map((label) => ({
      label,
      value: h(
        'a',
        { route: ['findings'], query: { severity: label }, class: 'tile-link' },
        fmtNumber(countOf(bySeverity, label)),
      ),
      class: sevClass(label),
    })),
  );
  const { box, canvas } = chartBox('Findings by severity over time');
  const series = data.overTime ?? [];
  const newest = data.newest ?? [];
  replace(
    body,
    card(
      'Open findings by severity',
      sevTiles,
      h('p', { class: 'muted' }, `${fmtNumber(bySeverity.total ?? 0)} open (new or acknowledged) findings`),
    ),
    card('New findings over time (24 h)', series.length ? box : empty('No findings yet.')),
    wideCard(
      'Newest findings',
      table(
        [
          {
            label: 'Severity',
            cell: (f) => h('span', { class: sevClass(f.severityLabel) }, f.severityLabel),
          },
          { label: 'Title', cell: (f) => h('a', { route: ['findings', f.id] }, f.title) },
          { label: 'Principal', cell: (f) => f.actor?.principal ?? '—', class: 'wrap' },
          { label: 'Last seen', cell: (f) => fmtTime(f.lastSeen), class: 'nowrap' },
        ],
        newest,
        { empty: 'No findings yet.' },
      ),
    ),
    topCard('Top finding types', data.topTypes, 'type', (v) =>
      h('a', { route: ['findings'], query: { type: v } }, v),
    ),
    topCard('Top principals', data.topPrincipals, 'principal'),
    topCard('Top source IPs', data.topIps, 'ip', (v, row) => [
      v,
      row.country ? h('span', { class: 'country' }, ` ${row.country}`) : null,
    ]),
    topCard('Accounts', data.accounts, 'accountId', (v) =>
      h('a', { route: ['findings'], query: { account: v } }, v),
    ),
    topCard('Regions', data.regions, 'region', (v) =>
      h('a', { route: ['findings'], query: { region: v } }, v),
    ),
  );
  if (!series.length) return undefined;
  return makeChart(canvas, () => ({
    type: 'bar',
    data: {
      labels: series.map((p) => timeLabel(p.start)),
      datasets: SEVERITIES.map((label) => ({
        label,
        data: series.map((p) => countOf(p, label)),
        backgroundColor: cssVar(SEVERITY_COLORS[label]),
        stack: 'sev',
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }));
}

/** 'Top source IPs' → 'Source IP'. */
function columnLabel(title) {
  const l = title.replace(/^Top /, '').replace(/s$/, '');
  return l[0].toUpperCase() + l.slice(1);
}

/** A table of the top values of one field, with their open counts when the API gives them. */
function topCard(title, rows, key, cell = (v) => v) {
  const list = Array.isArray(rows) ? rows : [];
  return card(
    title,
    table(
      [
        {
          label: columnLabel(title),
          cell: (r) => cell(String(r[key] ?? '—'), r),
          class: 'wrap',
        },
        { label: 'Findings', cell: (r) => fmtNumber(r.count), class: 'num' },
        list.some((r) => r.open !== undefined)
          ? { label: 'Open', cell: (r) => fmtNumber(r.open), class: 'num' }
          : null,
      ].filter(Boolean),
      list,
      { empty: 'None yet.' },
    ),
  );
}
