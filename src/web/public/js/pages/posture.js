/**
 * Posture: the latest check run over a snapshot from `vigil posture collect` — when it was collected, the
 * accounts, the calls that failed while collecting, results by severity, every check (filter by status,
 * service and severity; expand one for its resources and remediation) and the compliance frameworks with
 * their honest coverage. `#/posture/<framework>` shows one framework (posture-framework.js).
 */
import { h, replace } from '../lib/h.js';
import { apiPath, get } from '../lib/api.js';
import { SEVERITIES, fmtNumber, fmtTime, sevClass } from '../lib/format.js';
import { replaceParams } from '../lib/router.js';
import { button, card, empty, errorBox, facts, loading, pageHeader, table, tiles, wide } from '../lib/ui.js';
import {
  CONTROL_STATUS,
  coverageSentence,
  renderFramework,
  reportLink,
  statusBadge,
} from './posture-framework.js';

const CHECK_STATUSES = ['FAIL', 'ERROR', 'UNKNOWN', 'PASS', 'NO-RESOURCES'];
const RESULT_PAGE = 50;

export async function render(ctx) {
  if (ctx.id) return renderFramework(ctx);
  const { main, params } = ctx;
  const body = h('div', { id: 'posture' }, loading());
  replace(main, body);
  let data;
  try {
    data = await get('/api/posture');
  } catch (error) {
    replace(body, errorBox(error));
    return;
  }
  const problems = data.problems.map((p) =>
    h('p', { class: 'error', role: 'alert' }, `${p.file}: ${p.message}`),
  );
  if (!data.snapshots.length) {
    replace(
      body,
      pageHeader('Posture'),
      problems,
      empty(
        'No posture snapshot is loaded. Collect one with `vigil posture collect` and list it under posture.snapshots.',
      ),
    );
    return;
  }
  const wanted = params.get('snapshot');
  const snap = data.snapshots.find((s) => s.file === wanted) ?? data.snapshots[0];
  const picker =
    data.snapshots.length > 1
      ? h(
          'select',
          { id: 'posture-snapshot', 'aria-label': 'Snapshot' },
          data.snapshots.map((s) => h('option', { value: s.file, selected: s === snap }, s.file)),
        )
      : null;
  picker?.addEventListener('change', () => {
    replaceParams({ snapshot: picker.value });
    void render(ctx);
  });
  const snapshotParam = data.snapshots.length > 1 ? snap.file : undefined;
  replace(
    body,
    pageHeader('Posture', picker, reportLink(undefined, snapshotParam, 'checks-report')),
    problems,
    h(
      'div',
      { class: 'grid' },
      wide(snapshotCard(snap)),
      wide(summaryCard(snap)),
      wide(card('Frameworks', frameworkCards(snap, snapshotParam))),
      wide(card('Checks', checksSection(snap, params, snapshotParam))),
    ),
  );
}

function snapshotCard(snap) {
  const errors = snap.collectionErrors;
  return card(
    'Snapshot',
    facts([
      ['File', snap.file],
      ['Collected at', fmtTime(snap.collectedAt)],
      ['Collected by', snap.collector],
      ['Checked at', fmtTime(snap.generatedAt)],
      [
        'Accounts',
        snap.accounts.map((a) => (a.alias ? `${a.accountId} (${a.alias})` : a.accountId)).join(', '),
      ],
      ['Collection errors', fmtNumber(errors.count)],
    ]),
    errors.count
      ? h(
          'details',
          { id: 'collection-errors' },
          h(
            'summary',
            null,
            `${fmtNumber(errors.count)} call(s) failed while collecting; checks that needed their data say UNKNOWN`,
          ),
          table(
            [
              { label: 'Account', cell: (e) => e.accountId, class: 'mono' },
              { label: 'Region', cell: (e) => e.region ?? '—' },
              { label: 'Call', cell: (e) => e.api, class: 'mono' },
              { label: 'Resource', cell: (e) => e.resource ?? '—', class: 'mono wrap' },
              { label: 'Code', cell: (e) => e.code, class: 'mono' },
              { label: 'Message', cell: (e) => e.message, class: 'wrap' },
            ],
            errors.items,
          ),
        )
      : null,
    snap.warnings.length
      ? h(
          'ul',
          { class: 'warnings' },
          snap.warnings.map((w) => h('li', null, w)),
        )
      : null,
  );
}

function summaryCard(snap) {
  const s = snap.summary;
  return card(
    'Results',
    tiles([
      { label: 'Checks', value: fmtNumber(s.checks) },
      { label: 'Failing results', value: fmtNumber(s.FAIL), class: s.FAIL ? 'bad' : 'ok' },
      { label: 'Passing results', value: fmtNumber(s.PASS), class: 'ok' },
      { label: 'Unknown (no data)', value: fmtNumber(s.UNKNOWN), class: s.UNKNOWN ? 'warn' : '' },
      { label: 'Checks that failed to run', value: fmtNumber(s.ERROR), class: s.ERROR ? 'bad' : '' },
    ]),
    h(
      'div',
      { class: 'tiles', id: 'posture-severity' },
      snap.bySeverity.map((b) =>
        h(
          'div',
          { class: ['tile', sevClass(b.severity)], dataset: { severity: b.severity } },
          h('span', { class: 'tile-value' }, `${fmtNumber(b.FAIL)} fail`),
          h(
            'span',
            { class: 'tile-label' },
            `${b.severity}: ${fmtNumber(b.PASS)} pass · ${fmtNumber(b.UNKNOWN)} unknown · ` +
              `${fmtNumber(b.failingChecks)} of ${fmtNumber(b.checks)} checks failing`,
          ),
        ),
      ),
    ),
  );
}

function frameworkCards(snap, snapshotParam) {
  if (!snap.frameworks.length) return empty('No framework was evaluated.');
  return h(
    'div',
    { class: 'framework-cards' },
    snap.frameworks.map((f) =>
      h(
        'section',
        { class: 'framework-card', id: `framework-${f.id}`, dataset: { framework: f.id } },
        h('h3', null, h('a', { route: ['posture', f.id], query: { snapshot: snapshotParam } }, f.name)),
        h('p', { class: 'muted small' }, f.version),
        h('p', { class: 'coverage' }, coverageSentence(f.summary)),
        h(
          'ul',
          { class: 'status-counts' },
          Object.keys(CONTROL_STATUS)
            .filter((st) => f.summary.statuses[st])
            .map((st) =>
              h('li', null, statusBadge(st, CONTROL_STATUS[st]), ` ${fmtNumber(f.summary.statuses[st])}`),
            ),
        ),
        h(
          'p',
          { class: 'actions' },
          h('a', { route: ['posture', f.id], query: { snapshot: snapshotParam } }, 'View controls'),
          reportLink(f.id, snapshotParam),
        ),
      ),
    ),
  );
}

function checksSection(snap, params, snapshotParam) {
  const services = [...new Set(snap.checks.map((c) => c.service))].sort();
  const select = (name, label, options) =>
    h(
      'label',
      { class: 'filter' },
      h('span', null, label),
      h(
        'select',
        { id: `posture-${name}`, name },
        h('option', { value: '' }, 'any'),
        options.map((o) => h('option', { value: o, selected: params.get(name) === o }, o)),
      ),
    );
  const form = h(
    'form',
    { class: 'filters', id: 'posture-filters', role: 'search' },
    select('status', 'Status', CHECK_STATUSES),
    select('service', 'Service', services),
    select('severity', 'Severity', SEVERITIES),
  );
  const rows = h('div', { id: 'posture-checks' });
  const paint = () => {
    const f = Object.fromEntries(new FormData(form).entries());
    replaceParams({ snapshot: snapshotParam, ...f });
    const checks = snap.checks.filter(
      (c) =>
        (!f.status || c.status === f.status) &&
        (!f.service || c.service === f.service) &&
        (!f.severity || c.severity === f.severity),
    );
    if (!checks.length) {
      replace(rows, empty('No check matches these filters.'));
      return;
    }
    replace(
      rows,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data checks' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Status', 'Severity', 'Service', 'Check', 'Fail', 'Pass', 'Unknown', ''].map((l) =>
                h('th', null, l),
              ),
            ),
          ),
          checks.map((c) => checkRows(c, snapshotParam)),
        ),
      ),
    );
  };
  form.addEventListener('change', paint);
  form.addEventListener('submit', (event) => event.preventDefault());
  paint();
  return [form, rows];
}

/** A check's row and its (initially hidden) detail row, in their own tbody. */
function checkRows(c, snapshotParam) {
  const detail = h('td', { colspan: '8' });
  const detailRow = h('tr', { class: 'check-detail', hidden: true }, detail);
  let loaded = false;
  const toggle = button(
    'Details',
    () => {
      detailRow.hidden = !detailRow.hidden;
      toggle.textContent = detailRow.hidden ? 'Details' : 'Hide';
      toggle.setAttribute('aria-expanded', String(!detailRow.hidden));
      if (!loaded) {
        loaded = true;
        void checkDetail(c, detail, snapshotParam);
      }
    },
    'small check-toggle',
  );
  toggle.setAttribute('aria-expanded', 'false');
  return h(
    'tbody',
    { class: 'posture-check', dataset: { check: c.id, status: c.status } },
    h(
      'tr',
      null,
      h('td', null, statusBadge(c.status)),
      h('td', null, h('span', { class: sevClass(c.severity) }, c.severity)),
      h('td', null, c.service),
      h('td', { class: 'wrap' }, h('span', { class: 'mono' }, c.id), h('br'), c.title),
      h('td', { class: 'num' }, fmtNumber(c.counts.FAIL)),
      h('td', { class: 'num' }, fmtNumber(c.counts.PASS)),
      h('td', { class: 'num' }, fmtNumber(c.counts.UNKNOWN + c.counts.ERROR)),
      h('td', null, toggle),
    ),
    detailRow,
  );
}

async function checkDetail(c, cell, snapshotParam) {
  replace(cell, loading());
  const status = h(
    'select',
    { class: 'result-status', 'aria-label': 'Result status' },
    h('option', { value: '' }, 'All results'),
    ['FAIL', 'UNKNOWN', 'ERROR', 'PASS'].map((s) =>
      h('option', { value: s, selected: s === 'FAIL' && c.counts.FAIL > 0 }, s),
    ),
  );
  const results = h('ul', { class: 'check-results' });
  const more = h('p');
  let head;
  const load = async (offset) => {
    const page = await get(apiPath('posture', 'checks', c.id), {
      snapshot: snapshotParam,
      status: status.value,
      offset,
      limit: RESULT_PAGE,
    });
    head ??= page.check;
    if (offset === 0) replace(results);
    if (!page.results.total) results.append(h('li', { class: 'muted' }, 'No results with this status.'));
    for (const r of page.results.items)
      results.append(
        h(
          'li',
          { class: 'check-result', dataset: { status: r.status, resource: r.resource.id } },
          statusBadge(r.status),
          ' ',
          h('span', { class: 'mono wrap resource' }, r.resource.id),
          ' — ',
          h('span', { class: 'sentence' }, r.message),
        ),
      );
    const next = offset + page.results.items.length;
    replace(
      more,
      next < page.results.total
        ? button(`More (${fmtNumber(page.results.total - next)} left)`, () => void load(next), 'small')
        : null,
    );
  };
  try {
    await load(0);
  } catch (error) {
    replace(cell, errorBox(error));
    return;
  }
  status.addEventListener('change', () => void load(0).catch((error) => replace(results, errorBox(error))));
  replace(
    cell,
    h(
      'div',
      { class: 'check-detail-body' },
      h('p', null, head.rationale),
      h('div', null, status),
      results,
      more,
    ),
    remediation(head),
  );
}

function remediation(check) {
  const r = check.remediation;
  const refs = check.references ?? {};
  return h(
    'div',
    { class: 'check-remediation' },
    h('h4', null, 'Remediation'),
    h('p', { class: 'remediation' }, r.text),
    r.cli ? [h('h5', null, 'AWS CLI'), h('pre', { class: 'raw' }, r.cli)] : null,
    r.console ? [h('h5', null, 'Console'), h('pre', { class: 'raw' }, r.console)] : null,
    r.cdk ? [h('h5', null, 'CDK'), h('pre', { class: 'raw' }, r.cdk)] : null,
    r.cloudformation ? [h('h5', null, 'CloudFormation'), h('pre', { class: 'raw' }, r.cloudformation)] : null,
    refs.cis?.length || refs.fsbp?.length
      ? h(
          'p',
          { class: 'muted small' },
          `CIS ${refs.cis?.join(', ') || '—'} · FSBP ${refs.fsbp?.join(', ') || '—'}`,
        )
      : null,
  );
}
