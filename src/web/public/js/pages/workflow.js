/**
 * The triage dialog shared by the finding page and the findings table's bulk actions: a status change
 * with a reason, and for suppression an optional expiry. The API takes a reason only with a suppression;
 * for the other changes on one finding the reason becomes a note, so the why is kept beside the finding.
 */
import { h } from '../lib/h.js';
import { localToIso } from '../lib/format.js';

const LABELS = {
  ACKNOWLEDGED: ['Acknowledge', 'acknowledged'],
  RESOLVED: ['Resolve', 'resolved'],
  SUPPRESSED: ['Suppress', 'suppressed'],
  NEW: ['Reopen', 'reopened'],
};

export const actionLabel = (status) => LABELS[status]?.[0] ?? status;
export const actionDone = (status) => LABELS[status]?.[1] ?? status;

/**
 * Opens a modal asking for the reason (required to suppress) and expiry. `submit(body, note)` gets the
 * status request body ({status} or {status, reason, until?}) and, when `options.note` allows one, the
 * reason to record as a note for other statuses;
 * runs on confirm and its error is shown in the dialog.
 */
export function statusDialog(status, what, submit, options = { note: true }) {
  const suppress = status === 'SUPPRESSED';
  const reason = h('textarea', {
    id: 'status-reason',
    name: 'reason',
    rows: '3',
    required: status === 'SUPPRESSED',
  });
  const until = h('input', { id: 'status-until', name: 'until', type: 'datetime-local' });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const confirm = h(
    'button',
    { type: 'submit', class: 'primary', id: 'status-confirm' },
    actionLabel(status),
  );
  const cancel = h('button', { type: 'button', class: 'ghost' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', null, `${actionLabel(status)} ${what}`),
    suppress || options.note
      ? [
          h(
            'label',
            { for: 'status-reason' },
            suppress ? 'Reason (required)' : 'Reason (optional, kept as a note)',
          ),
          reason,
        ]
      : null,
    status === 'SUPPRESSED'
      ? [h('label', { for: 'status-until' }, 'Suppressed until (optional)'), until]
      : null,
    message,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'modal', id: 'status-dialog' }, form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    try {
      const body = { status };
      const why = reason.value.trim();
      if (suppress && why) body.reason = why;
      if (status === 'SUPPRESSED' && until.value) body.until = localToIso(until.value);
      await submit(body, !suppress && options.note && why ? why : undefined);
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
  reason.focus();
  return dialog;
}
