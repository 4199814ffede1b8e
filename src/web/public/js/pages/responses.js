/**
 * Automated responses: the kill switch (admins turn it on or off), statistics — actions run, succeeded,
 * failed, waiting for approval, time to respond — and the playbook runs, newest first, with their plans
 * and actions; responders approve, reject and undo from here. The page follows the live stream's
 * `response` events.
 */
import { h, replace } from '../lib/h.js';
import { get, put } from '../lib/api.js';
import { color, makeChart, timeLabel } from '../lib/charts.js';
import { fmtMs, fmtNumber, fmtTime } from '../lib/format.js';
import { subscribe } from '../lib/live.js';
import { replaceParams } from '../lib/router.js';
import {
  button,
  card,
  chartBox,
  empty,
  errorBox,
  loading,
  pageHeader,
  table,
  tiles,
  toast,
  wide,
} from '../lib/ui.js';
import { confirmDialog, RUN_STATUSES, runList } from './runs.js';

const PAGE = 20;

export async function render(ctx) {
  const { main, params, role } = ctx;
  const hours = h(
    'select',
    { id: 'responses-hours', 'aria-label': 'Period' },
    [24, 168, 720].map((n) =>
      h('option', { value: String(n) }, n === 24 ? 'Last 24 hours' : `Last ${n / 24} days`),
    ),
  );
  const body = h('div', { class: 'contents' }, loading());
  const switchBox = h('div', { id: 'kill-switch' }, loading());
  const runs = runsSection(params, role);
  replace(
    main,
    pageHeader('Automated responses', hours),
    h(
      'div',
      { class: 'grid' },
      wide(card('Kill switch', switchBox)),
      body,
      wide(card('Playbook runs', runs.node)),
    ),
  );
  const loadSwitch = async () => {
    try {
      paintSwitch(switchBox, await get('/api/responses/kill-switch'), role, loadSwitch);
    } catch (error) {
      replace(switchBox, errorBox(error));
    }
  };
  let chart;
  ctx.onLeave(() => chart?.destroy());
  const load = async () => {
    let s;
    try {
      s = await get('/api/responses/stats', { hours: hours.value });
    } catch (error) {
      replace(body, errorBox(error));
      return;
    }
    chart?.destroy();
    chart = undefined;
    const nothing = s.run === 0 && s.awaitingApproval === 0 && !s.byAction?.length;
    const { box, canvas } = chartBox('Response actions over time');
    replace(
      body,
      card(
        'Actions',
        tiles([
          { label: 'Run', value: fmtNumber(s.run) },
          { label: 'Succeeded', value: fmtNumber(s.succeeded), class: 'ok' },
          { label: 'Failed', value: fmtNumber(s.failed), class: s.failed ? 'bad' : '' },
          {
            label: 'Awaiting approval',
            value: fmtNumber(s.awaitingApproval),
            class: s.awaitingApproval ? 'warn' : '',
          },
        ]),
        nothing
          ? h(
              'p',
              { class: 'empty', id: 'responses-empty' },
              'No live response actions have run in this period. Dry-run plans are listed under Playbook runs.',
            )
          : null,
      ),
      card(
        'Time to respond',
        s.timeToRespond?.count
          ? tiles([
              { label: 'p50', value: fmtMs(s.timeToRespond.p50Ms) },
              { label: 'p95', value: fmtMs(s.timeToRespond.p95Ms) },
              { label: 'p99', value: fmtMs(s.timeToRespond.p99Ms) },
              { label: 'max', value: fmtMs(s.timeToRespond.maxMs) },
            ])
          : empty('No completed responses to measure yet.'),
      ),
      card('Over time', s.series?.length ? box : empty('No actions in this period.')),
      card(
        'By action',
        table(
          [
            { label: 'Action', cell: (a) => a.action, class: 'mono' },
            { label: 'Run', cell: (a) => fmtNumber(a.run), class: 'num' },
            { label: 'Succeeded', cell: (a) => fmtNumber(a.succeeded), class: 'num' },
            { label: 'Failed', cell: (a) => fmtNumber(a.failed), class: 'num' },
            { label: 'Awaiting approval', cell: (a) => fmtNumber(a.awaitingApproval), class: 'num' },
          ],
          s.byAction ?? [],
          { empty: 'No actions yet.' },
        ),
      ),
    );
    if (s.series?.length) {
      chart = makeChart(canvas, () => ({
        type: 'bar',
        data: {
          labels: s.series.map((p) => timeLabel(p.start)),
          datasets: [
            {
              label: 'Succeeded',
              data: s.series.map((p) => p.succeeded),
              backgroundColor: color(1),
              stack: 'r',
            },
            { label: 'Failed', data: s.series.map((p) => p.failed), backgroundColor: color(3), stack: 'r' },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      }));
    }
  };
  hours.addEventListener('change', load);
  // Runs change while the page is open (the executor, other responders): refresh, a burst at a time.
  let pending;
  ctx.onLeave(
    subscribe('response', () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        void load();
        void runs.refresh();
      }, 300);
    }),
  );
  ctx.onLeave(() => clearTimeout(pending));
  await Promise.all([loadSwitch(), load(), runs.load()]);
}

function paintSwitch(box, s, role, reload) {
  const turnOn = !s.on;
  replace(
    box,
    h(
      'p',
      { id: 'kill-switch-state', class: s.on ? 'bad' : 'ok', dataset: { on: String(Boolean(s.on)) } },
      s.on
        ? 'On: no live response action runs. Dry runs still show their plans.'
        : 'Off: live playbooks act on their findings.',
    ),
    s.by ? h('p', { class: 'muted small' }, `Last set by ${s.by} at ${fmtTime(s.at)}`) : null,
    s.configured
      ? h(
          'p',
          { class: 'muted' },
          'Stopped in the configuration (respond.enabled: false): it cannot be lifted here.',
        )
      : null,
    role === 'admin' && !s.configured
      ? h(
          'button',
          {
            type: 'button',
            id: 'kill-switch-toggle',
            class: turnOn ? 'warn' : 'primary',
            on: {
              click: () =>
                confirmDialog(
                  {
                    title: turnOn ? 'Turn the kill switch on?' : 'Turn the kill switch off?',
                    text: turnOn
                      ? 'No live response action will run until an admin turns it off again. Actions in flight finish.'
                      : 'Live playbooks will act on AWS again, including runs waiting in the queue.',
                    confirmLabel: turnOn ? 'Stop live responses' : 'Allow live responses',
                    danger: !turnOn,
                  },
                  async () => {
                    await put('/api/responses/kill-switch', { on: turnOn });
                    toast(turnOn ? 'Kill switch on' : 'Kill switch off');
                    await reload();
                  },
                ),
            },
          },
          turnOn ? 'Stop all live responses' : 'Allow live responses',
        )
      : null,
  );
}

/** The runs list with its filters (status, playbook: kept in the hash query), paged by (time, id) of the last run shown. */
function runsSection(params, role) {
  const state = {
    status: params.get('status') ?? '',
    playbook: params.get('playbook') ?? '',
    before: undefined,
    newer: [],
  };
  const status = h(
    'select',
    { id: 'runs-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    RUN_STATUSES.map((s) => h('option', { value: s, selected: state.status === s }, s)),
  );
  const playbook = h(
    'select',
    { id: 'runs-playbook', name: 'playbook' },
    h('option', { value: '' }, 'any'),
    state.playbook ? h('option', { value: state.playbook, selected: true }, state.playbook) : null,
  );
  get('/api/responses/playbooks')
    .then((list) => {
      for (const p of list ?? [])
        if (p.id !== state.playbook) playbook.appendChild(h('option', { value: p.id }, p.id));
    })
    .catch(() => undefined);
  const form = h(
    'form',
    { class: 'filters', id: 'runs-filters' },
    h('label', { class: 'filter' }, h('span', null, 'Status'), status),
    h('label', { class: 'filter' }, h('span', null, 'Playbook'), playbook),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Apply')),
  );
  const results = h('div', { id: 'response-runs' }, loading());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.status = status.value;
    state.playbook = playbook.value;
    state.before = undefined;
    state.newer = [];
    void load();
  });

  async function load() {
    replaceParams({ status: state.status, playbook: state.playbook });
    let page;
    try {
      page = await get('/api/responses/runs', {
        status: state.status,
        playbook: state.playbook,
        before: state.before?.createdAt,
        beforeId: state.before?.id,
        limit: PAGE + 1,
      });
    } catch (error) {
      replace(results, errorBox(error));
      return;
    }
    const items = page?.runs ?? [];
    const shown = items.slice(0, PAGE);
    const newer = button('← Newer', () => {
      state.before = state.newer.pop();
      void load();
    });
    const older = button('Older →', () => {
      state.newer.push(state.before);
      const last = shown[shown.length - 1];
      state.before = { createdAt: last.createdAt, id: last.id };
      void load();
    });
    newer.disabled = state.newer.length === 0;
    older.disabled = items.length <= PAGE;
    replace(
      results,
      runList(shown, {
        role,
        onChange: load,
        empty: state.status || state.playbook ? 'No runs match these filters.' : 'No playbook runs yet.',
      }),
      h('div', { class: 'pager' }, newer, older),
    );
  }

  return {
    node: h('div', null, form, results),
    load,
    /** A live update: only the newest page moves under the reader. */
    refresh: () => (state.before === undefined ? load() : Promise.resolve()),
  };
}
