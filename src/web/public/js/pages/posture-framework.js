/**
 * One compliance framework of a posture snapshot (`#/posture/<framework>`): coverage, then every control
 * with its status, mapped checks, failing resources and evidence. Responders attach evidence (a note and
 * an expiry) to controls no check decides alone. A control without a check is never called compliant:
 * its status says MANUAL-AWAITING or MANUAL-EVIDENCED, and a partially covered one PARTIAL.
 */
import { h, replace } from '../lib/h.js';
import { apiPath, get, post } from '../lib/api.js';
import { fmtNumber, fmtPercent, fmtTime } from '../lib/format.js';
import { replaceParams } from '../lib/router.js';
import { canAct, card, empty, errorBox, loading, pageHeader, tiles, toast, wide } from '../lib/ui.js';

/** What each status means, shown beside the badge. */
export const CONTROL_STATUS = {
  PASS: 'Every mapped automated check passes',
  FAIL: 'A mapped check fails on some resource',
  PARTIAL: 'Automated checks pass; remaining evidence needed',
  UNKNOWN: 'Cannot decide: a check had no data or did not run',
  'MANUAL-AWAITING': 'No automated check; awaiting evidence from a person',
  'MANUAL-EVIDENCED': 'Evidenced by a person (not decided by a check)',
};
const RESULT_STATUSES = ['PASS', 'FAIL', 'UNKNOWN', 'ERROR', 'NO-RESOURCES', 'NOT-RUN'];
const KNOWN = new Set([...Object.keys(CONTROL_STATUS), ...RESULT_STATUSES]);

/** A status badge; only known statuses become a class. */
export function statusBadge(status, title) {
  const known = KNOWN.has(status);
  return h(
    'span',
    { class: ['pstatus', known ? `pstatus-${status.toLowerCase()}` : null], title, dataset: { status } },
    String(status),
  );
}

/** The "Download report" link: the HTML report comes as an attachment from the API. */
export function reportLink(framework, snapshot, id) {
  return h(
    'a',
    {
      class: 'button-link',
      id,
      api: ['posture', 'report.html'],
      query: { framework, snapshot },
      download: '',
    },
    'Download report',
  );
}

/** "N of M controls have automated checks; K need evidence." */
export function coverageSentence(s) {
  return (
    `${fmtNumber(s.automated)} of ${fmtNumber(s.controls)} controls (${fmtPercent(s.coverage)}) have ` +
    `automated checks; ${fmtNumber(s.manual)} need evidence from a person.`
  );
}

function yearFromNow() {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

export async function renderFramework(ctx) {
  const { main, params, role, id } = ctx;
  const snapshot = params.get('snapshot') ?? undefined;
  const body = h('div', { id: 'framework-view' }, loading());
  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { route: ['posture'], query: { snapshot } }, '← Posture')),
    body,
  );
  let fw;
  let overview;
  try {
    [fw, overview] = await Promise.all([
      get(apiPath('posture', 'frameworks', id), { snapshot }),
      get('/api/posture'),
    ]);
  } catch (error) {
    replace(body, errorBox(error));
    return;
  }
  const evidenceOpen = canAct(role) && overview.evidenceConfigured;
  const filter = h('select', { id: 'control-status', 'aria-label': 'Control status' });
  const statusTiles = h('div', { id: 'framework-statuses' });
  const list = h('div', { id: 'framework-controls' });
  replace(
    body,
    pageHeader(fw.framework.name, filter, reportLink(fw.framework.id, snapshot, 'framework-report')),
    h(
      'div',
      { class: 'grid' },
      wide(
        card(
          'Coverage',
          h('p', { id: 'framework-coverage' }, coverageSentence(fw.summary)),
          h(
            'p',
            { class: 'muted' },
            `${fw.framework.version} · evaluated ${fmtTime(fw.evaluatedAt)} · ${fw.framework.scope}`,
          ),
          h('p', { class: 'muted' }, `Source (not fetched): ${fw.framework.source}`),
          statusTiles,
          fw.warnings.length
            ? h(
                'ul',
                { class: 'warnings' },
                fw.warnings.map((w) => h('li', null, w)),
              )
            : null,
          canAct(role) && !overview.evidenceConfigured
            ? h(
                'p',
                { class: 'muted' },
                'Evidence cannot be added here: no posture.evidence file is configured.',
              )
            : null,
        ),
      ),
      wide(card('Controls', list)),
    ),
  );

  /** The counts per status (tiles and filter), repainted when evidence changes a control. */
  const paintCounts = (wanted) => {
    const counts = fw.summary.statuses;
    replace(
      statusTiles,
      tiles(
        Object.keys(CONTROL_STATUS).map((st) => ({
          label: st,
          value: fmtNumber(counts[st] ?? 0),
          class: st === 'FAIL' && counts[st] ? 'bad' : st === 'PASS' ? 'ok' : '',
        })),
      ),
    );
    replace(
      filter,
      h('option', { value: '' }, 'All statuses'),
      Object.keys(CONTROL_STATUS).map((st) =>
        h('option', { value: st, selected: wanted === st }, `${st} (${counts[st] ?? 0})`),
      ),
    );
  };
  const paint = () => {
    const wanted = filter.value;
    paintCounts(wanted);
    const controls = fw.controls.filter((c) => !wanted || c.status === wanted);
    if (!controls.length) {
      replace(list, empty('No control has this status.'));
      return;
    }
    const groups = new Map();
    for (const c of controls) groups.set(c.group ?? '', [...(groups.get(c.group ?? '') ?? []), c]);
    replace(
      list,
      [...groups].map(([group, items]) => [
        group ? h('h3', null, group) : null,
        items.map((c) => controlBlock(fw.framework.id, c, evidenceOpen, reload)),
      ]),
    );
  };
  const reload = async () => {
    try {
      fw = await get(apiPath('posture', 'frameworks', id), { snapshot });
      paint();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  paintCounts(params.get('status') ?? '');
  filter.addEventListener('change', () => {
    replaceParams({ snapshot, status: filter.value });
    paint();
  });
  paint();
}

function controlBlock(framework, c, evidenceOpen, reload) {
  return h(
    'article',
    { class: 'control', dataset: { control: c.id, status: c.status } },
    h(
      'header',
      null,
      h('span', { class: 'control-id mono' }, c.id),
      h('span', { class: 'control-title' }, c.title),
      statusBadge(c.status, CONTROL_STATUS[c.status]),
      h('span', { class: 'muted small' }, `coverage: ${c.coverage}`),
    ),
    h('p', { class: 'control-detail' }, c.detail),
    c.checks.length
      ? h(
          'ul',
          { class: 'mapped-checks' },
          c.checks.map((o) =>
            h(
              'li',
              null,
              h('span', { class: 'mono' }, o.id),
              o.title ? ` ${o.title} ` : ' ',
              statusBadge(o.status),
              h('span', { class: 'muted small' }, ` ${o.pass} pass · ${o.fail} fail · ${o.unknown} unknown`),
            ),
          ),
        )
      : null,
    c.failing.length
      ? h(
          'details',
          { class: 'failing' },
          h('summary', null, `${fmtNumber(c.failingTotal)} resource result(s) behind this status`),
          h(
            'ul',
            null,
            c.failing.map((r) =>
              h(
                'li',
                null,
                statusBadge(r.status),
                ' ',
                h('span', { class: 'mono wrap' }, `${r.resource.type} ${r.resource.id}`),
                ' — ',
                r.message,
              ),
            ),
            c.failingTotal > c.failing.length
              ? h('li', { class: 'muted' }, `and ${fmtNumber(c.failingTotal - c.failing.length)} more`)
              : null,
          ),
        )
      : null,
    c.evidenceNeeded ? h('p', { class: 'muted' }, `Evidence needed: ${c.evidenceNeeded}`) : null,
    c.evidence.length
      ? h(
          'ul',
          { class: 'notes control-evidence' },
          c.evidence.map((n) =>
            h(
              'li',
              null,
              h(
                'span',
                { class: 'note-meta' },
                `${n.by} · added ${fmtTime(n.addedAt)} · expires ${fmtTime(n.expires)}`,
              ),
              h('p', null, n.note),
              n.attachment ? h('p', { class: 'muted' }, `Document: ${n.attachment}`) : null,
            ),
          ),
        )
      : null,
    evidenceOpen && c.coverage !== 'full' ? evidenceForm(framework, c, reload) : null,
  );
}

function evidenceForm(framework, c, reload) {
  const note = h('textarea', {
    class: 'evidence-note',
    rows: '2',
    required: true,
    maxlength: '4000',
    placeholder: 'What shows this control is met (document, owner, where it is kept)',
    'aria-label': `Evidence for ${c.id}`,
  });
  const expires = h('input', {
    type: 'date',
    class: 'evidence-expires',
    required: true,
    'aria-label': 'Evidence expires on',
    props: { value: yearFromNow() },
  });
  const submit = h('button', { type: 'submit', class: 'primary evidence-submit' }, 'Attach evidence');
  const form = h(
    'form',
    { class: 'note-form evidence-form' },
    note,
    h('label', { class: 'filter' }, h('span', null, 'Expires'), expires),
    submit,
  );
  // Folded: a framework has dozens of manual controls, and a form open under each would bury them.
  const box = h(
    'details',
    { class: 'evidence-add' },
    h('summary', { class: 'evidence-open' }, 'Attach evidence'),
    form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!note.value.trim() || !expires.value) return;
    submit.disabled = true;
    try {
      await post('/api/posture/evidence', {
        framework,
        control: c.id,
        note: note.value.trim(),
        expires: expires.value,
      });
      toast(`Evidence attached to ${c.id}`);
      await reload();
    } catch (error) {
      toast(error.message, 'error');
      submit.disabled = false;
    }
  });
  return box;
}
