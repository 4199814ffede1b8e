/** Suppression rules: their pattern, reason, owner and expiry; responders can delete them. */
import { h, replace } from '../lib/h.js';
import { apiPath, del, get } from '../lib/api.js';
import { fmtTime } from '../lib/format.js';
import { button, canAct, errorBox, loading, pageHeader, table, toast } from '../lib/ui.js';

export async function render(ctx) {
  const { main, role } = ctx;
  const body = h('div', { id: 'suppressions' }, loading());
  replace(
    main,
    pageHeader('Suppression rules'),
    h(
      'p',
      { class: 'muted' },
      'Create a rule from a finding’s page. Suppressed findings stay stored and are listed under the “Show suppressed” filter.',
    ),
    body,
  );
  const load = async () => {
    let rules;
    try {
      rules = await get('/api/suppressions');
    } catch (error) {
      replace(body, errorBox(error));
      return;
    }
    const now = Date.now();
    replace(
      body,
      table(
        [
          {
            label: 'Pattern',
            cell: (r) => h('pre', { class: 'raw' }, JSON.stringify(r.pattern, null, 2)),
            class: 'wrap',
          },
          { label: 'Reason', cell: (r) => r.reason, class: 'wrap' },
          { label: 'Owner', cell: (r) => r.owner },
          { label: 'Created', cell: (r) => fmtTime(r.created), class: 'nowrap' },
          {
            label: 'Expires',
            cell: (r) =>
              r.expires
                ? [
                    fmtTime(r.expires),
                    Date.parse(r.expires) <= now ? h('span', { class: 'tag' }, 'expired') : null,
                  ]
                : 'never',
            class: 'nowrap',
          },
          canAct(role)
            ? {
                label: '',
                cell: (r) =>
                  button(
                    'Delete',
                    async () => {
                      try {
                        await del(apiPath('suppressions', r.id));
                        toast('Rule deleted');
                        await load();
                      } catch (error) {
                        toast(error.message, 'error');
                      }
                    },
                    'warn',
                  ),
              }
            : null,
        ].filter(Boolean),
        rules,
        { empty: 'No suppression rules.' },
      ),
    );
  };
  await load();
}
