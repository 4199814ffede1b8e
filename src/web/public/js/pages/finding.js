/**
 * One finding: what happened, the evidence events (raw JSON on demand), the actor's activity around it,
 * MITRE mapping, remediation, playbook runs, delivery history, notes, and the triage actions — including
 * a suppression rule drafted from this finding. Each section loads on its own, so one failing call shows
 * in its place.
 */
import { h, replace } from '../lib/h.js';
import { apiPath, get, post } from '../lib/api.js';
import { fmtNumber, fmtTime, localToIso, sevClass } from '../lib/format.js';
import {
  button,
  canAct,
  card,
  empty,
  errorBox,
  facts,
  loading,
  pageHeader,
  table,
  toast,
  wide,
} from '../lib/ui.js';
import { findingResponses } from './runs.js';
import { actionDone, actionLabel, statusDialog } from './workflow.js';

export async function render(ctx) {
  const { main, id, role } = ctx;
  replace(main, loading());
  let f;
  try {
    f = await get(apiPath('findings', id));
  } catch (error) {
    replace(
      main,
      pageHeader('Finding'),
      errorBox(error),
      h('p', null, h('a', { route: ['findings'] }, '← All findings')),
    );
    return;
  }
  const actions = canAct(role)
    ? [
        ...['ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED', 'NEW']
          .filter((s) => s !== f.status)
          .map((status) =>
            button(
              actionLabel(status),
              () =>
                statusDialog(status, 'this finding', async (body, note) => {
                  await post(apiPath('findings', f.id, 'status'), body);
                  if (note)
                    await post(apiPath('findings', f.id, 'notes'), {
                      text: `${actionLabel(status)}: ${note}`,
                    });
                  toast(`Finding ${actionDone(status)}`);
                  await render(ctx);
                }),
              `action-${status.toLowerCase()}` + (status === 'RESOLVED' ? ' primary' : ''),
            ),
          ),
        button('Create suppression rule', () => suppressionRule(f), 'action-rule'),
      ]
    : [];
  const actor = f.actor ?? {};
  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { route: ['findings'] }, '← All findings')),
    h(
      'header',
      { class: 'page-header finding-header' },
      h(
        'div',
        null,
        h('span', { class: sevClass(f.severityLabel) }, f.severityLabel),
        ' ',
        h(
          'span',
          { class: `status status-${String(f.status).toLowerCase()}`, id: 'finding-status' },
          f.status,
        ),
        h('h1', { id: 'finding-title' }, f.title),
      ),
      h('div', { class: 'actions' }, actions),
    ),
    h(
      'div',
      { class: 'grid' },
      card(
        'What happened',
        h('p', { class: 'description', id: 'finding-description' }, f.description),
        f.suppression
          ? h(
              'p',
              { class: 'muted', id: 'finding-suppression' },
              `Suppressed by ${f.suppression.by} at ${fmtTime(f.suppression.at)}${f.suppression.until ? ` until ${fmtTime(f.suppression.until)}` : ''}: ${f.suppression.reason}`,
            )
          : null,
      ),
      card(
        'Facts',
        facts([
          ['Type', h('span', { class: 'mono' }, f.type)],
          ['Detector', f.detector],
          ['Severity', `${f.severity} (${f.severityLabel})`],
          ['Account', f.accountId],
          ['Region', f.region],
          ['First seen', fmtTime(f.firstSeen)],
          ['Last seen', fmtTime(f.lastSeen)],
          ['Count', fmtNumber(f.count)],
          ['Id', h('span', { class: 'mono small' }, f.id)],
        ]),
      ),
      card(
        'Actor',
        facts([
          [
            'Principal',
            actor.principal
              ? h('span', { class: 'mono wrap', id: 'actor-principal' }, actor.principal)
              : undefined,
          ],
          ['Principal type', actor.principalType],
          ['Access key', actor.accessKeyId],
          ['Source IP', actor.ip],
          ['Country', actor.geo?.country],
          ['ASN', actor.geo?.asn],
          [
            'User agent',
            actor.userAgent
              ? h('span', { class: 'mono wrap', id: 'actor-user-agent' }, actor.userAgent)
              : undefined,
          ],
        ]),
      ),
      card(
        'Resources',
        table(
          [
            { label: 'Type', cell: (r) => r.type },
            { label: 'Id', cell: (r) => h('span', { class: 'mono wrap resource-id' }, r.id) },
          ],
          f.resources ?? [],
          { empty: 'No resources recorded.' },
        ),
      ),
      card(
        'MITRE ATT&CK',
        facts([
          ['Tactics', (f.mitre?.tactics ?? []).join(', ') || '—'],
          ['Techniques', (f.mitre?.techniques ?? []).join(', ') || '—'],
        ]),
      ),
      card(
        'Remediation',
        h('p', { class: 'remediation' }, f.remediation || '—'),
        f.references?.length
          ? [
              h('h3', null, 'References'),
              h(
                'ul',
                { class: 'references' },
                f.references.map((r) => h('li', { class: 'mono wrap' }, r)),
              ),
            ]
          : null,
      ),
      section('Evidence events', () => evidence(f)),
      section('Actor timeline', () => timeline(f)),
      section('Responses', () => findingResponses(f, ctx)),
      section('Delivery history', () => deliveries(f)),
      section('Notes', () => notes(f, role)),
    ),
  );
}

/** A card whose body is filled by `fill()` (a promise of nodes); errors stay inside the card. */
function section(title, fill) {
  const body = h('div', null, loading());
  const el = wide(card(title, body));
  Promise.resolve()
    .then(fill)
    .then((node) => replace(body, node))
    .catch((error) => replace(body, errorBox(error)));
  return el;
}

function evidence(f) {
  const ids = f.evidence?.eventIds ?? [];
  const names = f.evidence?.eventNames ?? [];
  if (!ids.length)
    return empty(`No evidence events recorded${names.length ? ` (event names: ${names.join(', ')})` : ''}.`);
  return h(
    'ul',
    { class: 'evidence' },
    ids.map((eventId) => {
      const raw = h('pre', { class: 'raw', hidden: true });
      const toggle = button(
        'Raw JSON',
        async () => {
          if (!raw.hidden) {
            raw.hidden = true;
            return;
          }
          raw.hidden = false;
          raw.textContent = 'Loading…';
          try {
            const event = await get(apiPath('events', eventId));
            raw.textContent = JSON.stringify(event?.raw ?? event, null, 2);
          } catch (error) {
            raw.textContent = error.message;
          }
        },
        'small',
      );
      return h('li', null, h('span', { class: 'mono' }, eventId), ' ', toggle, raw);
    }),
    h('li', { class: 'muted' }, `Event names: ${names.join(', ') || '—'}`),
  );
}

async function timeline(f) {
  const principal = f.actor?.principal;
  if (!principal) return empty('The finding names no principal.');
  const data = await get('/api/events/timeline', { principal, at: f.lastSeen, minutes: 60 });
  const items = data?.events ?? [];
  const evidence = new Set(f.evidence?.eventIds ?? []);
  return table(
    [
      { label: 'Time', cell: (e) => fmtTime(e.time ?? e.eventTime), class: 'nowrap' },
      { label: 'API', cell: (e) => `${e.eventSource ?? ''} ${e.eventName ?? ''}`.trim(), class: 'mono' },
      { label: 'Region', cell: (e) => e.region ?? e.awsRegion ?? '—' },
      { label: 'Source IP', cell: (e) => e.sourceIp ?? e.sourceIPAddress ?? '—', class: 'mono' },
      { label: 'Error', cell: (e) => e.errorCode ?? '' },
      {
        label: '',
        cell: (e) => (evidence.has(e.id ?? e.eventId) ? h('span', { class: 'tag' }, 'evidence') : ''),
      },
    ],
    items,
    { empty: 'No stored events for this principal around the finding.' },
  );
}

async function deliveries(f) {
  const data = await get('/api/deliveries', { finding: f.id });
  const items = Array.isArray(data) ? data : (data?.items ?? []);
  return table(
    [
      { label: 'Channel', cell: (d) => d.channelId ?? d.channel ?? '—' },
      { label: 'Kind', cell: (d) => d.kind ?? '—' },
      { label: 'Status', cell: (d) => h('span', { class: 'status' }, d.status) },
      { label: 'Attempts', cell: (d) => fmtNumber(d.attempts), class: 'num' },
      { label: 'Created', cell: (d) => fmtTime(d.createdAt), class: 'nowrap' },
      { label: 'Last error', cell: (d) => d.lastError ?? '', class: 'wrap' },
    ],
    items,
    { empty: 'No alerts were sent for this finding.' },
  );
}

async function notes(f, role) {
  const list = h('ul', { class: 'notes', id: 'notes' });
  const paint = async () => {
    const data = await get(apiPath('findings', f.id, 'notes'));
    const items = Array.isArray(data) ? data : (data?.items ?? []);
    replace(
      list,
      items.length
        ? items.map((n) =>
            h(
              'li',
              null,
              h(
                'div',
                { class: 'note-meta' },
                `${n.user ?? n.author ?? '?'} · ${fmtTime(n.createdAt ?? n.at ?? n.time)}`,
              ),
              h('p', null, n.text ?? n.body),
            ),
          )
        : h('li', { class: 'muted' }, 'No notes yet.'),
    );
  };
  await paint();
  if (!canAct(role)) return list;
  const text = h('textarea', { id: 'note-text', rows: '2', placeholder: 'Add a note', 'aria-label': 'Note' });
  const form = h('form', { class: 'note-form' }, text, h('button', { type: 'submit' }, 'Add note'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      await post(apiPath('findings', f.id, 'notes'), { text: text.value.trim() });
      text.value = '';
      await paint();
    } catch (error) {
      toast(error.message, 'error');
    }
  });
  return h('div', null, list, form);
}

/** Drafts a suppression rule from the finding (the API proposes the pattern), then lets the user edit and save it. */
async function suppressionRule(f) {
  let draft;
  try {
    draft = await get(apiPath('findings', f.id, 'suppression-draft'));
  } catch (error) {
    toast(error.message, 'error');
    return;
  }
  const pattern = h('textarea', {
    id: 'rule-pattern',
    rows: '8',
    class: 'mono',
    props: { value: JSON.stringify(draft.pattern, null, 2) },
  });
  const reason = h('textarea', {
    id: 'rule-reason',
    rows: '2',
    required: true,
    props: { value: '' },
  });
  const owner = h('input', { id: 'rule-owner', placeholder: 'Default: you' });
  const until = h('input', { id: 'rule-until', type: 'datetime-local' });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const cancel = h('button', { type: 'button', class: 'ghost' }, 'Cancel');
  const form = h(
    'form',
    null,
    h('h2', null, 'New suppression rule'),
    h(
      'p',
      { class: 'muted' },
      'Matching findings are still stored, marked suppressed, and shown under the “Show suppressed” filter.',
    ),
    h(
      'label',
      { for: 'rule-pattern' },
      'Pattern (an EventBridge pattern over the finding: source vigil, detail = the finding)',
    ),
    pattern,
    h('label', { for: 'rule-reason' }, 'Reason (required)'),
    reason,
    h('label', { for: 'rule-owner' }, 'Owner'),
    owner,
    h('label', { for: 'rule-until' }, 'Expires (optional)'),
    until,
    message,
    h(
      'div',
      { class: 'dialog-buttons' },
      cancel,
      h('button', { type: 'submit', class: 'primary', id: 'rule-save' }, 'Create rule'),
    ),
  );
  const dialog = h('dialog', { class: 'modal wide', id: 'rule-dialog' }, form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let parsed;
    try {
      parsed = JSON.parse(pattern.value);
    } catch {
      message.textContent = 'The pattern is not valid JSON.';
      message.hidden = false;
      return;
    }
    const body = { pattern: parsed, reason: reason.value.trim() };
    if (owner.value.trim()) body.owner = owner.value.trim();
    if (until.value) body.expires = localToIso(until.value);
    try {
      await post('/api/suppressions', body);
      dialog.close();
      toast('Suppression rule created');
      location.hash = '#/suppressions';
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
}
