/**
 * Playbook runs as the Responses page and a finding's page show them: the playbook, its finding, dry run
 * or live, and each action's plan, state, approval, outcome, AWS request ids and error — with Approve,
 * Reject and Undo for responders. Plans and outcomes quote the finding (attacker-controlled), so all of it
 * goes through h() as text.
 */
import { h, replace } from '../lib/h.js';
import { apiPath, get, post } from '../lib/api.js';
import { subscribe } from '../lib/live.js';
import { fmtTime } from '../lib/format.js';
import { button, canAct, empty, toast } from '../lib/ui.js';

const RUN_STATUSES = [
  'planned',
  'queued',
  'running',
  'awaiting-approval',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'rate-limited',
  'blocked',
];
const ACTION_STATUSES = new Set([...RUN_STATUSES, 'pending', 'approved', 'skipped', 'cancelled']);
export { RUN_STATUSES };

/** A state badge; only known states make a class. */
function state(status) {
  const s = String(status ?? '');
  return h('span', { class: ['rstatus', ACTION_STATUSES.has(s) ? `rstatus-${s}` : null] }, s || '—');
}

export function modeBadge(mode) {
  return mode === 'live'
    ? h('span', { class: 'tag mode-live' }, 'LIVE')
    : h('span', { class: 'tag mode-dry-run' }, 'DRY RUN');
}

/**
 * A confirmation modal. `reason`: 'optional' adds a reason box, passed to `submit(reason)`; the dialog
 * closes when `submit` resolves and shows its error otherwise.
 */
export function confirmDialog({ title, text, confirmLabel, reason, danger }, submit) {
  const box = h('textarea', { id: 'respond-reason', rows: '3' });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const confirm = h(
    'button',
    { type: 'submit', class: danger ? 'primary danger' : 'primary', id: 'respond-confirm' },
    confirmLabel,
  );
  const cancel = h('button', { type: 'button', class: 'ghost' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', null, title),
    text ? h('p', { class: 'wrap', id: 'respond-dialog-text' }, text) : null,
    reason ? [h('label', { for: 'respond-reason' }, 'Reason (optional, kept in the audit log)'), box] : null,
    message,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'modal', id: 'respond-dialog' }, form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    try {
      await submit(box.value.trim());
      dialog.close();
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  (reason ? box : confirm).focus();
  return dialog;
}

/** Who decided an action, and when; or how long it may still wait. */
function approval(a) {
  if (a.undoOf) return a.decidedBy ? `Undo requested by ${a.decidedBy} at ${fmtTime(a.decidedAt)}` : null;
  if (a.status === 'awaiting-approval')
    return `Awaiting approval${a.approvalExpiresAt ? ` until ${fmtTime(a.approvalExpiresAt)}` : ''}`;
  if (a.status === 'expired') return 'Expired: nobody approved in time';
  if (a.decidedBy)
    return `${a.status === 'rejected' ? 'Rejected' : 'Approved'} by ${a.decidedBy} at ${fmtTime(a.decidedAt)}`;
  return a.approvalRequired ? 'Needs approval' : null;
}

function actionButtons(a, options) {
  if (!canAct(options.role)) return null;
  const decide = (verb) => () =>
    confirmDialog(
      {
        title: verb === 'approve' ? 'Approve this action?' : 'Reject this action?',
        text: a.plan,
        confirmLabel: verb === 'approve' ? 'Approve' : 'Reject',
        reason: verb === 'reject' ? 'optional' : undefined,
        danger: verb === 'approve',
      },
      async (reason) => {
        await post(apiPath('responses', 'actions', a.id, verb), reason ? { reason } : {});
        toast(verb === 'approve' ? 'Action approved' : 'Action rejected: the playbook stops');
        await options.onChange?.();
      },
    );
  if (a.status === 'awaiting-approval')
    return h(
      'div',
      { class: 'actions' },
      button('Approve', decide('approve'), 'primary action-approve'),
      button('Reject', decide('reject'), 'warn action-reject'),
    );
  if (a.status === 'succeeded' && a.outcome?.undo && !a.undoneBy && !a.undoOf)
    return h(
      'div',
      { class: 'actions' },
      button(
        'Undo',
        () =>
          confirmDialog(
            { title: 'Undo this action?', text: a.outcome.summary ?? a.plan, confirmLabel: 'Undo' },
            async () => {
              const done = await post(apiPath('responses', 'actions', a.id, 'undo'));
              toast(done?.status === 'succeeded' ? 'Undone' : `Undo ${done?.status}: ${done?.error ?? ''}`);
              await options.onChange?.();
            },
          ),
        'warn action-undo',
      ),
    );
  return null;
}

function actionItem(a, options) {
  const ids = (a.calls ?? []).filter((c) => c.requestId || c.errorCode);
  return h(
    'li',
    { class: ['response-action', a.undoOf ? 'undo' : null], dataset: { actionId: a.id, status: a.status } },
    h(
      'div',
      { class: 'action-head' },
      state(a.status),
      ' ',
      h('strong', null, a.step),
      ' ',
      h('span', { class: 'mono small muted' }, a.action),
      a.undoneBy ? [' ', h('span', { class: 'tag' }, 'undone')] : null,
      a.outcome?.status === 'unchanged' ? [' ', h('span', { class: 'tag' }, 'no change')] : null,
    ),
    h('p', { class: 'plan wrap' }, a.plan),
    facts([
      ['Approval', approval(a)],
      ['Outcome', a.outcome?.summary],
      [
        'AWS requests',
        ids.length
          ? h(
              'ul',
              { class: 'calls' },
              ids.map((c) =>
                h(
                  'li',
                  { class: 'mono small wrap' },
                  `${c.api}${c.requestId ? ` ${c.requestId}` : ''}${c.errorCode ? ` (${c.errorCode})` : ''}`,
                ),
              ),
            )
          : null,
      ],
      ['Error', a.error ? h('span', { class: 'error wrap action-error' }, a.error) : null],
    ]),
    actionButtons(a, options),
  );
}

function facts(pairs) {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!shown.length) return null;
  return h(
    'dl',
    { class: 'facts small' },
    shown.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** One run. options: { role, onChange, showFinding = true }. */
export function runCard(run, options) {
  return h(
    'article',
    { class: 'response-run', dataset: { runId: run.id, status: run.status, mode: run.mode } },
    h(
      'header',
      { class: 'run-head' },
      modeBadge(run.mode),
      ' ',
      state(run.status),
      ' ',
      h('strong', { class: 'mono run-playbook' }, run.playbook),
      options.showFinding === false
        ? null
        : [
            ' for ',
            h(
              'a',
              { route: ['findings', run.findingId], class: 'run-finding wrap' },
              run.findingTitle || run.findingId,
            ),
          ],
      h(
        'span',
        { class: 'muted small run-meta' },
        ` · ${fmtTime(run.createdAt)} · ${run.trigger === 'manual' ? `run by ${run.requestedBy ?? '?'}` : 'routed'}`,
      ),
    ),
    run.message ? h('p', { class: 'muted wrap run-message' }, run.message) : null,
    h(
      'ol',
      { class: 'response-actions' },
      (run.actions ?? []).map((a) => actionItem(a, options)),
    ),
  );
}

export function runList(runs, options) {
  if (!runs.length) return empty(options.empty ?? 'No playbook runs.');
  return h(
    'div',
    { class: 'response-runs' },
    runs.map((r) => runCard(r, options)),
  );
}

/**
 * A finding's runs, and for responders a control to run a configured playbook on it: a dry run by
 * default; live only when asked, after a confirmation. Follows the live stream for this finding's runs.
 */
export async function findingResponses(f, ctx) {
  const { role } = ctx;
  const list = h('div', { id: 'finding-runs' });
  const paint = async () => {
    const data = await get('/api/responses/runs', { findingId: f.id, limit: 50 });
    replace(
      list,
      runList(data?.runs ?? [], {
        role,
        onChange: paint,
        showFinding: false,
        empty: 'No playbook has run for this finding.',
      }),
    );
  };
  await paint();
  let pending;
  ctx.onLeave(
    subscribe('response', (e) => {
      if (e?.findingId !== f.id || pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        paint().catch(() => undefined);
      }, 300);
    }),
  );
  ctx.onLeave(() => clearTimeout(pending));
  if (!canAct(role)) return list;
  const playbooks = await get('/api/responses/playbooks').catch(() => []);
  if (!playbooks?.length)
    return h('div', null, list, h('p', { class: 'muted' }, 'No playbooks are configured.'));
  const select = h(
    'select',
    { id: 'run-playbook', 'aria-label': 'Playbook' },
    playbooks.map((p) => h('option', { value: p.id }, p.description ? `${p.id}: ${p.description}` : p.id)),
  );
  const live = h('input', { type: 'checkbox', id: 'run-live' });
  const form = h(
    'form',
    { class: 'run-form', id: 'run-form' },
    select,
    h('label', { class: 'check' }, live, 'Live (calls AWS; otherwise a dry run that only plans)'),
    h('button', { type: 'submit', class: 'primary', id: 'run-submit' }, 'Run playbook'),
  );
  const start = async () => {
    const run = await post('/api/responses/runs', {
      playbook: select.value,
      findingId: f.id,
      dryRun: !live.checked,
    });
    toast(run.mode === 'live' ? `Live run ${run.status}` : 'Dry run planned');
    live.checked = false;
    await paint();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (live.checked)
      confirmDialog(
        {
          title: 'Run this playbook live?',
          text: `Playbook ${select.value} will act on AWS for this finding. Steps that need approval wait for it.`,
          confirmLabel: 'Run live',
          danger: true,
        },
        start,
      );
    else start().catch((error) => toast(error.message, 'error'));
  });
  return h('div', null, list, form);
}
